//! The office that takes applications: booth submissions in one request, the web's three
//! steps, and the status lookup. It owns the durable parts (database, photo store, mail
//! outbox); the HTTP layer vets the photo first and hands over the result.
//!
//! Order of writes: photo blobs first (fsynced), then one transaction with the rows, the audit
//! records, the idempotency record and any mail. Only after the commit does the caller answer
//! 2xx, so an acknowledged submission is durable and a crash leaves at most an unreferenced
//! blob, removed by the cleanup job once older than a grace period (never at start: another
//! instance's blob may be waiting for its commit).

use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};
use thiserror::Error;
use tokio::sync::Notify;

use crate::application::{
    eligibility, next_step, validity, Actor, Channel, ContactName, DateOfBirth, Email, Event,
    FormId, PhotoVerdict, SignatureCertificate, State, Transition,
};
use crate::auth::{self, Booth};
use crate::config::Config;
use crate::mail::templates::{self, Lang};
use crate::outbox;
use crate::store::applications::{self as apps, ApplicationRow, MoveError};
use crate::store::s3::S3PhotoStore;
use crate::store::{new_id, now_ms, Db, LocalPhotoStore, PhotoStore, StoreError};
use crate::vetting::{Report, Verdict};

/// Today in Japan, where the application dates are.
pub fn today_jst() -> NaiveDate {
    (Utc::now() + Duration::hours(9)).date_naive()
}

#[derive(Debug, Error)]
pub enum IntakeError {
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        message_ja: String,
    },
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        message_ja: String,
    },
    #[error("this Idempotency-Key was used for a different request")]
    KeyReused,
    #[error("no such application")]
    NotFound,
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Auth(#[from] auth::AuthError),
}

impl From<sqlx::Error> for IntakeError {
    fn from(e: sqlx::Error) -> Self {
        IntakeError::Store(StoreError::Db(e))
    }
}

impl From<MoveError> for IntakeError {
    fn from(e: MoveError) -> Self {
        match e {
            MoveError::Store(e) => IntakeError::Store(e),
            MoveError::Missing => IntakeError::NotFound,
            MoveError::Stale(s) => conflict(
                "state_changed",
                &format!("the application changed meanwhile (now {s}); reload"),
                "申請の状態が変わりました。再読み込みしてください。",
            ),
        }
    }
}

pub fn invalid(code: &'static str, en: &str, ja: &str) -> IntakeError {
    IntakeError::Invalid {
        code,
        message: en.to_string(),
        message_ja: ja.to_string(),
    }
}

pub fn conflict(code: &'static str, en: &str, ja: &str) -> IntakeError {
    IntakeError::Conflict {
        code,
        message: en.to_string(),
        message_ja: ja.to_string(),
    }
}

/// The photo as stored: blobs in the photo store plus the report.
pub struct StoredPhoto {
    pub original_sha: String,
    pub crop_sha: Option<String>,
    pub report: Report,
}

/// A booth's single request.
pub struct BoothForm {
    pub form_id: FormId,
    pub date_of_birth: DateOfBirth,
    pub certificates: bool,
    pub braille: bool,
    pub exception: Option<String>,
}

pub struct Office {
    pub db: Db,
    pub photos: Arc<dyn PhotoStore>,
    pub config: Config,
    /// Wakes the mail sender when mail is enqueued.
    pub mail_wakeup: Arc<Notify>,
}

fn verdict_of(v: Verdict) -> PhotoVerdict {
    match v {
        Verdict::Accept => PhotoVerdict::Accept,
        Verdict::Reject => PhotoVerdict::Reject,
        Verdict::Review => PhotoVerdict::Review,
    }
}

async fn step(
    conn: &mut AnyConnection,
    app_id: &str,
    from: State,
    event: Event,
    actor: Actor,
) -> Result<State, IntakeError> {
    let t = Transition::record(from, event, actor, Utc::now()).map_err(|e| {
        conflict(
            "not_allowed_now",
            &format!("not possible in this state: {e}"),
            "現在の申請状態ではこの操作はできません。",
        )
    })?;
    apps::apply_transition(conn, app_id, &t).await?;
    Ok(t.to)
}

/// Attaches a vetted photo: new_photo by `actor`, the photo row, then the system's verdict.
async fn attach_photo(
    conn: &mut AnyConnection,
    app: &ApplicationRow,
    actor: Actor,
    photo: &StoredPhoto,
) -> Result<State, IntakeError> {
    let s = step(conn, &app.id, app.state, Event::NewPhoto, actor).await?;
    let report =
        serde_json::to_value(&photo.report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let failing: Vec<String> = photo
        .report
        .flagged_rules()
        .into_iter()
        .map(str::to_string)
        .collect();
    apps::insert_photo(
        conn,
        &apps::NewPhoto {
            id: &new_id(),
            application_id: &app.id,
            original_sha: &photo.original_sha,
            crop_sha: photo.crop_sha.as_deref(),
            verdict: photo.report.verdict.as_str(),
            failing_rules: &failing,
            report: &report,
            at: now_ms(),
        },
    )
    .await?;
    step(
        conn,
        &app.id,
        s,
        Event::PhotoVetted {
            verdict: verdict_of(photo.report.verdict),
        },
        Actor::System,
    )
    .await
}

/// A later application for the same form supersedes an earlier one (the issuer's rule): the
/// earlier one is withdrawn, its form ID set aside (`FORM~ID`, so lookups by form ID find only
/// the new one), and its sessions and links end, so whoever started it sees nothing of what
/// the later applicant sends. Refused once forwarding has claimed it.
async fn supersede(
    conn: &mut AnyConnection,
    app: &ApplicationRow,
    by: Channel,
) -> Result<(), IntakeError> {
    if app.forward_batch.is_some() || app.state == State::Forwarded {
        return Err(conflict(
            "already_forwarded",
            "the application for this form ID has already been sent to the issuer",
            "この申請書IDの申請は発行機関へ送付済みです。",
        ));
    }
    if !apps::lock_unclaimed(conn, &app.id).await? {
        return Err(crate::review::forwarding_now());
    }
    if !app.state.is_final() {
        let t = Transition::record(
            app.state,
            Event::Withdrawn {
                reason: Some(format!("superseded by a later {} application", by.as_str())),
            },
            Actor::System,
            Utc::now(),
        )
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        apps::apply_transition(conn, &app.id, &t).await?;
    }
    sqlx::query("UPDATE applications SET form_id = $1 WHERE id = $2")
        .bind(format!("{}~{}", app.form_id, app.id))
        .bind(&app.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE application_id = $1")
        .bind(&app.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM links WHERE application_id = $1")
        .bind(&app.id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Eligibility and (estimated) validity for the applicant: what the pages and receipts show.
pub fn entitlements(dob: NaiveDate, receipt: NaiveDate, certificates: bool) -> Value {
    let Ok(el) = eligibility(dob, receipt, false) else {
        return Value::Null;
    };
    // Cards are typically issued about a month after receipt; the dates depend on it.
    let issuance = receipt + Duration::days(30);
    let v = validity(dob, receipt, issuance, None).ok();
    let signature = match el.signature_certificate {
        SignatureCertificate::Allowed => json!({"issued": certificates}),
        SignatureCertificate::NotIssued(reason) => json!({
            "issued": false,
            "reason": format!("{reason:?}").to_lowercase(),
            "message": "The signature certificate is not issued to applicants under 15 or adult wards.",
            "message_ja": "15歳未満の方及び成年被後見人の方には署名用電子証明書は発行されません。",
        }),
    };
    json!({
        "age": el.age,
        "photo_required": el.photo_required,
        "signature_certificate": signature,
        "user_certificate": {"issued": certificates},
        "estimated_issuance": issuance,
        "card_valid_until": v.as_ref().map(|v| v.card_until),
        "certificates_valid_until": if certificates { v.as_ref().map(|v| v.certificates_until) } else { None },
    })
}

impl Office {
    pub async fn open(config: Config) -> Result<Office, StoreError> {
        std::fs::create_dir_all(&config.data_dir)?;
        let db = Db::open(&config.database_url()).await?;
        let photos: Arc<dyn PhotoStore> = match (&config.s3_endpoint, &config.s3_bucket) {
            (Some(endpoint), Some(bucket)) => {
                let store = S3PhotoStore::new(
                    endpoint,
                    bucket,
                    &config.s3_region,
                    &config.s3_access_key,
                    &config.s3_secret_key,
                )?;
                let store =
                    tokio::task::spawn_blocking(move || store.ensure_bucket().map(|_| store))
                        .await
                        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
                Arc::new(store)
            }
            _ => Arc::new(LocalPhotoStore::open(&config.photos_dir())?),
        };
        // No sweep here: every `admin` command and every instance opens the office, and a blob
        // written just before, whose row commits just after, belongs to an acknowledged
        // application. The cleanup is a job (`jobs::Kind::Sweep`) with a grace period.
        Ok(Office {
            db,
            photos,
            config,
            mail_wakeup: Arc::new(Notify::new()),
        })
    }

    /// Removes blobs no row names that are older than the grace period: what a crash between
    /// the blob and the commit leaves. Run by the sweep job, by one instance at a time.
    pub async fn sweep_orphans(&self) -> Result<usize, StoreError> {
        let grace =
            std::time::Duration::from_secs(self.config.orphan_grace_hours.max(1) as u64 * 3600);
        let before = std::time::SystemTime::now() - grace;
        let photos = self.photos.clone();
        let (blobs, temps) = tokio::task::spawn_blocking(move || {
            Ok::<_, std::io::Error>((photos.list()?, photos.remove_stale_temp(before)?))
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        let mut swept = temps;
        for (sha, modified) in blobs {
            if modified >= before {
                continue;
            }
            let used: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM photos WHERE original_sha = $1 OR crop_sha = $1",
            )
            .bind(&sha)
            .fetch_one(&self.db.pool)
            .await?
            .try_get("n")?;
            if used == 0 {
                let photos = self.photos.clone();
                tokio::task::spawn_blocking(move || photos.delete(&sha))
                    .await
                    .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
                swept += 1;
            }
        }
        Ok(swept)
    }

    /// Stores the re-encoded original (no EXIF: only pixels are kept) and the crop, durably.
    pub async fn store_photo(
        &self,
        original_jpeg: Vec<u8>,
        crop_jpeg: Option<Vec<u8>>,
        report: Report,
    ) -> Result<StoredPhoto, StoreError> {
        let photos = self.photos.clone();
        let (original_sha, crop_sha) = tokio::task::spawn_blocking(move || {
            let o = photos.put(&original_jpeg)?;
            let c = crop_jpeg.map(|c| photos.put(&c)).transpose()?;
            Ok::<_, std::io::Error>((o, c))
        })
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok(StoredPhoto {
            original_sha,
            crop_sha,
            report,
        })
    }

    /// A stored answer for this booth and key: `Some((status, body))` for a retry of the same
    /// request, `KeyReused` for a different one.
    pub async fn replay(
        &self,
        booth: &Booth,
        key: &str,
        request_sha: &str,
    ) -> Result<Option<(u16, Value)>, IntakeError> {
        let row = sqlx::query(
            "SELECT request_sha, status, body FROM idempotency WHERE booth_id = $1 AND key = $2",
        )
        .bind(&booth.id)
        .bind(key)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let sha: String = row.try_get("request_sha")?;
        if sha != request_sha {
            return Err(IntakeError::KeyReused);
        }
        let status: i64 = row.try_get("status")?;
        let body: String = row.try_get("body")?;
        let body = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some((status as u16, body)))
    }

    /// A booth's whole application in one transaction. `photo` is `None` only for age 0.
    pub async fn submit_booth(
        &self,
        booth: &Booth,
        key: &str,
        request_sha: &str,
        form: &BoothForm,
        photo: Option<StoredPhoto>,
    ) -> Result<(u16, Value), IntakeError> {
        let result = self
            .submit_booth_tx(booth, key, request_sha, form, photo.as_ref())
            .await;
        match result {
            // Another request with the same key committed first: answer as it did.
            Err(IntakeError::Store(e)) if e.is_unique_violation() => {
                match self.replay(booth, key, request_sha).await? {
                    Some(answer) => Ok(answer),
                    None => Err(conflict(
                        "already_applied",
                        "an application with this form ID was submitted at the same time",
                        "同じ申請書IDの申請が同時に送信されました。",
                    )),
                }
            }
            r => r,
        }
    }

    async fn submit_booth_tx(
        &self,
        booth: &Booth,
        key: &str,
        request_sha: &str,
        form: &BoothForm,
        photo: Option<&StoredPhoto>,
    ) -> Result<(u16, Value), IntakeError> {
        let today = today_jst();
        let dob = form.date_of_birth.date();
        let el = eligibility(dob, today, false).map_err(|e| {
            invalid(
                "invalid_date_of_birth",
                &e.to_string(),
                "生年月日が正しくありません。",
            )
        })?;
        let mut tx = self.db.begin().await?;
        let actor = Actor::Booth {
            id: booth.id.clone(),
        };
        let mut existing = apps::by_form_id(&mut tx, form.form_id.as_str()).await?;
        if let Some(app) = existing
            .as_ref()
            .filter(|a| a.channel != Channel::Booth.as_str())
        {
            // A booth never attaches to a web application: the booth's is the later one.
            supersede(&mut tx, app, Channel::Booth).await?;
            existing = None;
        }
        let (app, created) = match existing {
            None => {
                let id = new_id();
                apps::insert(
                    &mut tx,
                    &apps::NewApplication {
                        id: &id,
                        form_id: form.form_id.as_str(),
                        channel: Channel::Booth.as_str(),
                        booth_id: Some(&booth.id),
                        contact_name: None,
                        email: None,
                        lang: "ja",
                        at: now_ms(),
                    },
                )
                .await?;
                let app = apps::by_id(&mut tx, &id)
                    .await?
                    .ok_or(IntakeError::NotFound)?;
                (app, true)
            }
            Some(app) => {
                // A retake for an application already here: only with the same date of birth
                // and while the photo can still change.
                let same_person = app.date_of_birth.as_deref() == Some(&dob.to_string())
                    || app.date_of_birth.is_none();
                let open = app.state.transition(&Event::NewPhoto).is_ok()
                    && apps::lock_unclaimed(&mut tx, &app.id).await?;
                if !same_person || !open || !el.photo_required {
                    return Err(conflict(
                        "already_applied",
                        "an application with this form ID is already in and cannot take a new photo",
                        "この申請書IDの申請は受付済みのため、写真を差し替えできません。",
                    ));
                }
                (app, false)
            }
        };
        let state = if el.photo_required {
            let photo = photo.ok_or_else(|| {
                invalid(
                    "missing_photo",
                    "the form has no 'photo' file field",
                    "顔写真がありません。",
                )
            })?;
            attach_photo(&mut tx, &app, actor, photo).await?
        } else {
            step(
                &mut tx,
                &app.id,
                app.state,
                Event::NoPhotoNeeded,
                Actor::System,
            )
            .await?
        };
        let certificates = form.certificates;
        let signature = certificates && el.signature_certificate == SignatureCertificate::Allowed;
        apps::set_details(
            &mut tx,
            &app.id,
            &apps::Details {
                date_of_birth: &dob.to_string(),
                user_cert: certificates,
                signature_cert: signature,
                braille: form.braille,
                exception_reason: form.exception.as_deref(),
                completed_at: now_ms(),
            },
        )
        .await?;
        let status: u16 = if created { 201 } else { 200 };
        let body = json!({
            "application_id": app.id,
            "form_id_tail": apps::mask_form_id(form.form_id.as_str()),
            "state": state,
            "next_step": next_step(state, true),
            "photo": photo.map(|p| json!({"verdict": p.report.verdict, "report": p.report})),
            "entitlements": entitlements(dob, today, certificates),
            "receipt": {
                "received_at": Utc::now().to_rfc3339(),
                "booth": booth.name,
            },
        });
        sqlx::query(
            "INSERT INTO idempotency (booth_id, key, request_sha, status, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&booth.id)
        .bind(key)
        .bind(request_sha)
        .bind(status as i64)
        .bind(body.to_string())
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await?;
        Ok((status, body))
    }

    /// Web step 1: registers the application (or finds it) and mails a one-time link to the
    /// address on file. Answers the same whether or not anything was sent, so the form cannot
    /// be used to learn which IDs exist or to redirect someone else's application.
    pub async fn web_start(
        &self,
        form_id: &FormId,
        name: &ContactName,
        email: &Email,
        channel: Channel,
        lang: Lang,
    ) -> Result<(), IntakeError> {
        // Two starts for a new form ID at once (on two instances): one insert wins, the other
        // sees a unique violation and goes again, now finding the first.
        let mut tries = 0;
        loop {
            match self.web_start_tx(form_id, name, email, channel, lang).await {
                Err(IntakeError::Store(e)) if e.is_unique_violation() && tries < 3 => tries += 1,
                r => return r,
            }
        }
    }

    async fn web_start_tx(
        &self,
        form_id: &FormId,
        name: &ContactName,
        email: &Email,
        channel: Channel,
        lang: Lang,
    ) -> Result<(), IntakeError> {
        let mut tx = self.db.begin().await?;
        let existing = apps::by_form_id(&mut tx, form_id.as_str()).await?;
        let same_owner = |a: &ApplicationRow| {
            a.channel != Channel::Booth.as_str()
                && a.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()))
                && !a.state.is_final()
        };
        let app = match existing {
            // The same person again: a new link to the same address.
            Some(app) if same_owner(&app) => app,
            // Already with the issuer: nothing to start (the answer is the same).
            Some(app) if app.forward_batch.is_some() || app.state == State::Forwarded => {
                tx.commit().await?;
                return Ok(());
            }
            other => {
                // Someone else's (or another channel's) earlier application: this later one
                // supersedes it. The earlier starter loses their session; the new applicant
                // gets a fresh, empty application, so neither sees the other's entries.
                if let Some(old) = &other {
                    supersede(&mut tx, old, channel).await?;
                }
                let id = new_id();
                apps::insert(
                    &mut tx,
                    &apps::NewApplication {
                        id: &id,
                        form_id: form_id.as_str(),
                        channel: channel.as_str(),
                        booth_id: None,
                        contact_name: Some(name.as_str()),
                        email: Some(email.as_str()),
                        lang: lang.code(),
                        at: now_ms(),
                    },
                )
                .await?;
                apps::by_id(&mut tx, &id)
                    .await?
                    .ok_or(IntakeError::NotFound)?
            }
        };
        if let (Some(to), false) = (&app.email, app.state.is_final()) {
            let ttl = self.config.link_minutes.max(1) * 60_000;
            let token = auth::create_link(&mut tx, &app.id, ttl).await?;
            let url = format!(
                "{}/apply/link/{token}",
                self.config.public_url.trim_end_matches('/')
            );
            let expires = Utc::now() + Duration::milliseconds(ttl);
            let lang = Lang::from_code(&app.lang);
            let who = app.contact_name.as_deref().unwrap_or("");
            let (subject, body) = templates::link_mail(lang, who, &url, expires);
            outbox::enqueue(&mut tx, Some(&app.id), "link", to, &subject, &body).await?;
        }
        tx.commit().await?;
        self.mail_wakeup.notify_one();
        Ok(())
    }

    pub async fn application(&self, app_id: &str) -> Result<ApplicationRow, IntakeError> {
        let mut conn = self.db.pool.acquire().await?;
        apps::by_id(&mut conn, app_id)
            .await?
            .ok_or(IntakeError::NotFound)
    }

    /// Web step 2: a vetted photo for the applicant's own application.
    pub async fn web_photo(&self, app_id: &str, photo: &StoredPhoto) -> Result<State, IntakeError> {
        self.web_photo_with(app_id, photo, None).await
    }

    /// Web step 2 with the exception the applicant declared (stored for reviewers and the
    /// issuer). Refused while forwarding holds the application, and once an accepted photo
    /// completed it: going back to step 2 must not silently replace what was accepted.
    pub async fn web_photo_with(
        &self,
        app_id: &str,
        photo: &StoredPhoto,
        exception: Option<&str>,
    ) -> Result<State, IntakeError> {
        let mut tx = self.db.begin().await?;
        let app = apps::by_id(&mut tx, app_id)
            .await?
            .ok_or(IntakeError::NotFound)?;
        if !apps::lock_unclaimed(&mut tx, app_id).await? {
            return Err(crate::review::forwarding_now());
        }
        // (Unless forwarding held it back: then a new photo is what it needs.)
        if app.completed_at.is_some()
            && app.forward_hold.is_none()
            && matches!(app.state, State::AutoAccepted | State::Accepted)
        {
            return Err(conflict(
                "photo_accepted",
                "this application is complete with an accepted photo; it cannot be replaced here",
                "この申請は受理された写真で完了しています。写真は差し替えできません。",
            ));
        }
        if app.state.transition(&Event::NewPhoto).is_err() {
            return Err(conflict(
                "photo_locked",
                "the photo of this application can no longer be changed",
                "この申請の顔写真は変更できません。",
            ));
        }
        let state = attach_photo(&mut tx, &app, Actor::Applicant, photo).await?;
        if let Some(reason) = exception.map(str::trim).filter(|r| !r.is_empty()) {
            sqlx::query("UPDATE applications SET exception_reason = $1 WHERE id = $2")
                .bind(reason.chars().take(500).collect::<String>())
                .bind(app_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(state)
    }

    /// Web step 3: date of birth, certificates, braille. Completes the application (age 0
    /// needs no photo; everyone else must have sent one first) and mails the completion.
    pub async fn web_details(
        &self,
        app_id: &str,
        dob: &DateOfBirth,
        certificates: bool,
        braille: bool,
    ) -> Result<(State, Value), IntakeError> {
        let today = today_jst();
        let el = eligibility(dob.date(), today, false).map_err(|e| {
            invalid(
                "invalid_date_of_birth",
                &e.to_string(),
                "生年月日が正しくありません。",
            )
        })?;
        let mut tx = self.db.begin().await?;
        let app = apps::by_id(&mut tx, app_id)
            .await?
            .ok_or(IntakeError::NotFound)?;
        if !apps::lock_unclaimed(&mut tx, app_id).await? {
            return Err(crate::review::forwarding_now());
        }
        let mut state = app.state;
        if state == State::Registered {
            if el.photo_required {
                return Err(conflict(
                    "photo_missing",
                    "add the photo first (step 2)",
                    "先に顔写真を登録してください。",
                ));
            }
            state = step(&mut tx, &app.id, state, Event::NoPhotoNeeded, Actor::System).await?;
        }
        if matches!(state, State::Forwarded | State::Withdrawn) {
            return Err(conflict(
                "application_closed",
                "this application can no longer be changed",
                "この申請は変更できません。",
            ));
        }
        let signature = certificates && el.signature_certificate == SignatureCertificate::Allowed;
        apps::set_details(
            &mut tx,
            &app.id,
            &apps::Details {
                date_of_birth: &dob.to_string(),
                user_cert: certificates,
                signature_cert: signature,
                braille,
                exception_reason: None,
                completed_at: now_ms(),
            },
        )
        .await?;
        let ent = entitlements(dob.date(), today, certificates);
        if let (Some(to), None) = (&app.email, app.completed_at) {
            let lang = Lang::from_code(&app.lang);
            let step_text = next_step(state, true);
            let summary = crate::i18n::next_step_text(lang, step_text.code, state);
            let note = match (&ent["signature_certificate"]["issued"], certificates) {
                (Value::Bool(false), true) => {
                    Some(crate::i18n::t(lang, "confirm.signature_not_issued"))
                }
                _ => None,
            };
            let until = ent["card_valid_until"]
                .as_str()
                .and_then(|s| s.parse::<NaiveDate>().ok());
            let (subject, body) = templates::completion_mail(
                lang,
                app.contact_name.as_deref().unwrap_or(""),
                &apps::mask_form_id(&app.form_id),
                summary,
                until,
                note,
            );
            outbox::enqueue(&mut tx, Some(&app.id), "completion", to, &subject, &body).await?;
        }
        tx.commit().await?;
        self.mail_wakeup.notify_one();
        Ok((state, ent))
    }

    /// The status lookup: the state and the next step when both the form ID and the date of
    /// birth match; otherwise the same shape with `state: null`.
    pub async fn status(&self, form_id: &FormId, dob: &DateOfBirth) -> Result<Value, IntakeError> {
        let mut conn = self.db.pool.acquire().await?;
        let app = apps::by_form_id(&mut conn, form_id.as_str()).await?;
        let matched = app.filter(|a| a.date_of_birth.as_deref() == Some(dob.to_string().as_str()));
        Ok(match matched {
            Some(a) => json!({
                "state": a.state,
                "next_step": next_step(a.state, a.completed_at.is_some()),
            }),
            None => json!({"state": null, "next_step": crate::application::next_step::not_found()}),
        })
    }
}
