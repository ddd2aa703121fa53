//! MediaPipe's canonical face (468 points, cm, +y up, +z towards the camera) and the rigid
//! fit of a mesh to it, which gives the head's yaw, pitch and roll from all points at once (as
//! MediaPipe's face geometry does) instead of from two depth differences.

use nalgebra::{Matrix3, Vector3};

use super::{Mesh, ModelError};

const NAME: &str = "canonical face";

pub struct CanonicalFace {
    points: Vec<Vector3<f64>>,
}

/// Head angles in degrees, as R = Ry(yaw) Rx(pitch) Rz(roll): yaw = turned (positive
/// towards the image's right), pitch positive = looking down. Roll is left to the eye line,
/// which the rest of the engine already uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub yaw: f32,
    pub pitch: f32,
}

impl CanonicalFace {
    pub fn parse(bytes: &[u8]) -> Result<CanonicalFace, ModelError> {
        let err = |m: String| ModelError::Load {
            name: NAME,
            message: m,
        };
        let text = std::str::from_utf8(bytes).map_err(|e| err(e.to_string()))?;
        let mut points = Vec::with_capacity(468);
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let v: Vec<f64> = line
                .split(',')
                .map(|s| s.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|e| err(format!("line '{line}': {e}")))?;
            if v.len() != 3 {
                return Err(err(format!("line '{line}': expected x,y,z")));
            }
            points.push(Vector3::new(v[0], v[1], v[2]));
        }
        if points.len() != 468 {
            return Err(err(format!("{} points, expected 468", points.len())));
        }
        Ok(CanonicalFace { points })
    }

    /// Rotation taking the canonical face onto the mesh (least squares over the 468 points,
    /// scale and translation free: Kabsch / Umeyama), read as yaw, pitch and roll.
    pub fn fit(&self, mesh: &Mesh) -> Option<Pose> {
        // Mesh: x right, y down, z away from the camera. Turn it into the canonical frame
        // (y up, z towards the camera).
        let m: Vec<Vector3<f64>> = (0..468)
            .map(|i| {
                let p = mesh.p3(i);
                Vector3::new(p[0] as f64, -(p[1] as f64), -(p[2] as f64))
            })
            .collect();
        let n = 468.0;
        let cm = m.iter().sum::<Vector3<f64>>() / n;
        let cc = self.points.iter().sum::<Vector3<f64>>() / n;
        let mut h = Matrix3::<f64>::zeros();
        for (a, b) in self.points.iter().zip(&m) {
            h += (a - cc) * (b - cm).transpose();
        }
        let svd = h.svd(true, true);
        let (u, vt) = (svd.u?, svd.v_t?);
        let v = vt.transpose();
        let d = (v * u.transpose()).determinant().signum();
        let r = v * Matrix3::from_diagonal(&Vector3::new(1.0, 1.0, d)) * u.transpose();
        if !r.iter().all(|x| x.is_finite()) {
            return None;
        }
        // The face's forward axis in camera space (roll does not move it).
        let f = r * Vector3::new(0.0, 0.0, 1.0);
        let yaw = f.x.atan2(f.z).to_degrees();
        let pitch = (-f.y).atan2((f.x * f.x + f.z * f.z).sqrt()).to_degrees();
        Some(Pose {
            yaw: yaw as f32,
            pitch: pitch as f32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical() -> CanonicalFace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("models")
            .join(super::super::CANONICAL_FILE.0);
        CanonicalFace::parse(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The canonical face itself, rotated by known angles and drawn in image axes, is read
    /// back with those angles.
    #[test]
    fn a_rotated_canonical_face_gives_back_its_angles() {
        let c = canonical();
        for (yaw, pitch, roll) in [
            (0.0f64, 0.0f64, 0.0f64),
            (20.0, 0.0, 5.0),
            (0.0, 15.0, -6.0),
            (-10.0, -8.0, 3.0),
        ] {
            // Pitch down = forward axis tipped towards -y: rotate about x by +pitch.
            let rx = nalgebra::Rotation3::from_axis_angle(&Vector3::x_axis(), pitch.to_radians());
            let ry = nalgebra::Rotation3::from_axis_angle(&Vector3::y_axis(), yaw.to_radians());
            let rz = nalgebra::Rotation3::from_axis_angle(&Vector3::z_axis(), roll.to_radians());
            let r = ry * rx * rz;
            let points = c
                .points
                .iter()
                .map(|p| {
                    let q = r * p * 12.0;
                    [(q.x + 300.0) as f32, (-q.y + 200.0) as f32, (-q.z) as f32]
                })
                .collect();
            let mesh = Mesh {
                points,
                presence: 1.0,
            };
            let pose = c.fit(&mesh).unwrap();
            assert!(
                (pose.yaw as f64 - yaw).abs() < 0.5,
                "{yaw} {pitch}: {pose:?}"
            );
            assert!(
                (pose.pitch as f64 - pitch).abs() < 0.5,
                "{yaw} {pitch}: {pose:?}"
            );
        }
    }
}
