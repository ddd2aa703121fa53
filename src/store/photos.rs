//! The content-addressed photo store: blobs named by their SHA-256.
//!
//! `put` returns only once the bytes are on disk (file and directory fsynced), so a row that
//! names a blob can be committed after it. A crash between the two leaves an unreferenced blob,
//! which the cleanup job removes once it is older than a generous grace period (never at start
//! and never from a command: a blob whose row is about to commit elsewhere must survive). `put`
//! of a blob already there refreshes its time, so an old orphan that a new upload names again
//! is young again.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The interface the service uses; a local folder by default. An S3-compatible store would
/// implement the same four calls.
pub trait PhotoStore: Send + Sync {
    /// Stores the bytes durably and returns their SHA-256 (hex). Idempotent.
    fn put(&self, bytes: &[u8]) -> io::Result<String>;
    fn get(&self, sha: &str) -> io::Result<Vec<u8>>;
    fn delete(&self, sha: &str) -> io::Result<()>;
    /// Every blob with its modification time.
    fn list(&self) -> io::Result<Vec<(String, SystemTime)>>;
    /// Removes temporary files of writes cut short, older than `before`; how many.
    fn remove_stale_temp(&self, _before: SystemTime) -> io::Result<usize> {
        Ok(0)
    }
    /// Where the blobs are, for error messages ("local folder /x", "S3 bucket b at ...").
    fn describe(&self) -> String;
}

pub struct LocalPhotoStore {
    root: PathBuf,
}

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// fsync a directory so a rename or a new entry in it survives a power cut.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` atomically and durably: temp file, fsync, rename, fsync the folder.
pub fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent folder"))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("blob"),
        super::random_hex(6)
    ));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir)
}

impl LocalPhotoStore {
    pub fn open(root: &Path) -> io::Result<LocalPhotoStore> {
        fs::create_dir_all(root)?;
        Ok(LocalPhotoStore {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, sha: &str) -> io::Result<PathBuf> {
        if !valid_sha(sha) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
        }
        Ok(self.root.join(&sha[..2]).join(sha))
    }
}

impl PhotoStore for LocalPhotoStore {
    fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = super::sha256_hex(bytes);
        let path = self.path(&sha)?;
        if path.exists() {
            // Young again: the cleanup job goes by this time.
            File::options()
                .append(true)
                .open(&path)?
                .set_modified(SystemTime::now())?;
            return Ok(sha);
        }
        let dir = path.parent().unwrap_or(&self.root);
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            sync_dir(&self.root)?;
        }
        write_durably(&path, bytes)?;
        Ok(sha)
    }

    fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(sha)?)
    }

    fn delete(&self, sha: &str) -> io::Result<()> {
        match fs::remove_file(self.path(sha)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    fn list(&self) -> io::Result<Vec<(String, SystemTime)>> {
        let mut out = Vec::new();
        for shard in fs::read_dir(&self.root)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(shard.path())? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().to_string();
                if valid_sha(&name) {
                    out.push((name, entry.metadata()?.modified()?));
                }
            }
        }
        Ok(out)
    }

    fn remove_stale_temp(&self, before: SystemTime) -> io::Result<usize> {
        let mut n = 0;
        for shard in fs::read_dir(&self.root)? {
            let shard = shard?;
            if !shard.file_type()?.is_dir() {
                continue;
            }
            for entry in fs::read_dir(shard.path())? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().to_string();
                // Another process's write in progress is young: only old ones were cut short.
                if name.contains(".tmp-") && entry.metadata()?.modified()? < before {
                    fs::remove_file(entry.path())?;
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    fn describe(&self) -> String {
        format!("local folder {}", self.root.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_round_trip() {
        let dir = std::env::temp_dir().join(format!("mnp-photos-{}", super::super::new_id()));
        let store = LocalPhotoStore::open(&dir).unwrap();
        let sha = store.put(b"jpeg bytes").unwrap();
        assert_eq!(sha, super::super::sha256_hex(b"jpeg bytes"));
        assert_eq!(store.put(b"jpeg bytes").unwrap(), sha, "idempotent");
        assert_eq!(store.get(&sha).unwrap(), b"jpeg bytes");
        assert_eq!(store.list().unwrap().len(), 1);
        store.delete(&sha).unwrap();
        store.delete(&sha).unwrap();
        assert!(store.get(&sha).is_err());
        assert!(store.get("../../etc/passwd").is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn put_again_makes_an_old_blob_young_and_temp_files_are_left_while_fresh() {
        let dir = std::env::temp_dir().join(format!("mnp-photos-{}", super::super::new_id()));
        let store = LocalPhotoStore::open(&dir).unwrap();
        let sha = store.put(b"orphan from a crash").unwrap();
        let path = store.path(&sha).unwrap();
        let old = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000);
        File::options()
            .append(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        store.put(b"orphan from a crash").unwrap();
        let (_, modified) = store.list().unwrap().into_iter().next().unwrap();
        assert!(
            modified > old,
            "a re-put blob must not look old to the cleanup"
        );
        // Another process's temp file: kept while younger than the cutoff, removed after.
        let temp = path.with_file_name(format!(".{sha}.tmp-abcdef"));
        fs::write(&temp, b"half").unwrap();
        assert_eq!(store.remove_stale_temp(old).unwrap(), 0);
        assert!(temp.exists());
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        assert_eq!(store.remove_stale_temp(later).unwrap(), 1);
        fs::remove_dir_all(dir).unwrap();
    }
}
