//! Face: what the models found, computed once and shared by every rule (like OFIQ's session).
//! All coordinates are in work-image pixels; `Scene::to_source` converts for reports.

use super::models::{Blendshapes, Detection, EyeContour, Mask, Mesh, Pose};
use super::pixels::{dist, mid, Pt};

/// FaceMesh indices (MediaPipe canonical face model).
pub mod idx {
    /// Eye contour on the image's left (the person's right eye): corners 33, 133.
    pub const EYE_L: [usize; 6] = [33, 160, 158, 133, 153, 144];
    /// Eye contour on the image's right (the person's left eye): corners 362, 263.
    pub const EYE_R: [usize; 6] = [362, 385, 387, 263, 373, 380];
    pub const LIP_UPPER_INNER: usize = 13;
    pub const LIP_LOWER_INNER: usize = 14;
    pub const MOUTH_INNER_L: usize = 78;
    pub const MOUTH_INNER_R: usize = 308;
    pub const MOUTH_OUTER_L: usize = 61;
    pub const MOUTH_OUTER_R: usize = 291;
    pub const LIP_UPPER_OUTER: usize = 0;
    pub const LIP_LOWER_OUTER: usize = 17;
    pub const NOSE_TIP: usize = 1;
    pub const NOSE_BRIDGE: usize = 6;
    pub const CHEEK_L: usize = 234;
    pub const CHEEK_R: usize = 454;
    pub const CHIN: usize = 152;
    pub const FOREHEAD: usize = 10;
    pub const BROW_L: usize = 105;
    pub const BROW_R: usize = 334;
    /// Iris centres of the 478-point mesh (each followed by four ring points).
    pub const IRIS_A: usize = 468;
    pub const IRIS_B: usize = 473;
}

#[derive(Debug, Clone)]
pub struct Face {
    pub detection: Detection,
    pub mesh: Mesh,
    /// Eye contours from the 478-point mesh, image-left eye first.
    pub eye_contours: [EyeContour; 2],
    /// The 52 expression coefficients.
    pub blendshapes: Blendshapes,
    /// Eye centres (iris centres), image-left first.
    pub eyes: [Pt; 2],
    pub chin: Pt,
    /// Top of the head including hair, from the person mask above the forehead.
    pub crown: Pt,
    /// The person mask reaches the top edge of the image above the head: the crown is cut off.
    pub crown_cut: bool,
    /// Distance between the eye centres.
    pub ipd: f32,
    /// Degrees: positive roll = clockwise in the image, yaw = turned, pitch = nodding.
    pub roll: f32,
    pub yaw: f32,
    pub pitch: f32,
    /// Yaw and pitch from two depth differences each (the earlier estimate, reported beside
    /// the rigid fit's).
    pub yaw_depth: f32,
    pub pitch_depth: f32,
}

fn centroid(mesh: &Mesh, ids: &[usize]) -> Pt {
    let n = ids.len() as f32;
    let (sx, sy) = ids.iter().fold((0.0, 0.0), |(sx, sy), &i| {
        let p = mesh.p(i);
        (sx + p[0], sy + p[1])
    });
    [sx / n, sy / n]
}

impl Face {
    pub fn build(
        detection: Detection,
        mesh: Mesh,
        blendshapes: Blendshapes,
        rigid: Option<Pose>,
        mask: &Mask,
        pitch_offset: f32,
        crown_cap: f32,
    ) -> Face {
        // The irises' centres where the mesh has them; the eye contours' centroids otherwise.
        let mut eyes = if mesh.points.len() > idx::IRIS_B {
            [mesh.p(idx::IRIS_A), mesh.p(idx::IRIS_B)]
        } else {
            [centroid(&mesh, &idx::EYE_L), centroid(&mesh, &idx::EYE_R)]
        };
        if eyes[0][0] > eyes[1][0] {
            eyes.swap(0, 1);
        }
        let eye_contours = [mesh.eye_contour(true), mesh.eye_contour(false)];
        let ipd = dist(eyes[0], eyes[1]);
        let chin = mesh.p(idx::CHIN);
        let roll = (eyes[1][1] - eyes[0][1])
            .atan2(eyes[1][0] - eyes[0][0])
            .to_degrees();
        let (yaw_depth, pitch_depth) = head_angles(&mesh, roll.to_radians());
        // The rigid fit to the canonical face uses every point; the depth estimate stands in
        // only if the fit fails.
        let (yaw, pitch) = rigid.map_or((yaw_depth, pitch_depth), |r| (r.yaw, r.pitch));
        let (crown, crown_cut) = find_crown(&mesh, mask, eyes, chin, crown_cap);
        Face {
            detection,
            mesh,
            eye_contours,
            blendshapes,
            eyes,
            chin,
            crown,
            crown_cut,
            ipd,
            roll,
            yaw,
            pitch: pitch - pitch_offset,
            yaw_depth,
            pitch_depth,
        }
    }

    pub fn eye_mid(&self) -> Pt {
        mid(self.eyes[0], self.eyes[1])
    }

    /// Unit vector pointing from the chin towards the top of the head (perpendicular to the
    /// eye line).
    pub fn up(&self) -> Pt {
        let r = self.roll.to_radians();
        [r.sin(), -r.cos()]
    }
}

/// Yaw and pitch from the mesh's 3-D points, after undoing roll: yaw from the depth difference
/// of the two cheeks, pitch from that of forehead and chin.
fn head_angles(mesh: &Mesh, roll: f32) -> (f32, f32) {
    let (s, c) = (-roll).sin_cos();
    let rot = |p: [f32; 3]| [p[0] * c - p[1] * s, p[0] * s + p[1] * c, p[2]];
    let l = rot(mesh.p3(idx::CHEEK_L));
    let r = rot(mesh.p3(idx::CHEEK_R));
    let yaw = (r[2] - l[2]).atan2(r[0] - l[0]).to_degrees();
    let top = rot(mesh.p3(idx::FOREHEAD));
    let bottom = rot(mesh.p3(idx::CHIN));
    let pitch = (bottom[2] - top[2]).atan2(bottom[1] - top[1]).to_degrees();
    (yaw, pitch)
}

/// Walks up from the forehead along the face's vertical axis, over a band as wide as the
/// eyes, and takes the highest point still inside the person mask. Voluminous hair (a bun, a
/// high ponytail) is not the crown: the result is capped at `cap` eye-to-chin distances above
/// the eyes (the hand-placed crowns of the dev photos lie at 0.97 +- 0.08 of it).
/// Returns the crown and whether the photo cuts it off at the top.
fn find_crown(mesh: &Mesh, mask: &Mask, eyes: [Pt; 2], chin: Pt, cap: f32) -> (Pt, bool) {
    let eye_mid = mid(eyes[0], eyes[1]);
    let face_len = dist(eye_mid, chin);
    let axis = {
        let d = [eye_mid[0] - chin[0], eye_mid[1] - chin[1]];
        let n = (d[0] * d[0] + d[1] * d[1]).sqrt().max(1e-3);
        [d[0] / n, d[1] / n]
    };
    let forehead = mesh.p(idx::FOREHEAD);
    // Distance of the forehead point above the eyes along the axis.
    let t0 = (forehead[0] - eye_mid[0]) * axis[0] + (forehead[1] - eye_mid[1]) * axis[1];
    let t_cap = cap * face_len;
    let half_band = dist(eyes[0], eyes[1]) * 0.5;
    let step = (mask.cell_h.min(mask.cell_w) * 0.5).max(0.5);
    let mut best_t = t0;
    let mut touches_top = false;
    // Lateral offsets across the band; the crown is the furthest point up among them.
    for k in -4..=4 {
        let off = half_band * k as f32 / 4.0;
        let base = [eye_mid[0] - axis[1] * off, eye_mid[1] + axis[0] * off];
        let mut t = t0;
        let mut last_inside = None;
        let mut gap = 0.0;
        while t < face_len * 2.5 {
            let p = [base[0] + axis[0] * t, base[1] + axis[1] * t];
            if p[1] < 0.0 {
                if gap == 0.0 && last_inside.is_some() {
                    touches_top = true;
                }
                break;
            }
            if mask.at(p[0], p[1]) >= 0.5 {
                last_inside = Some(t);
                gap = 0.0;
            } else {
                gap += step;
                // A short gap (a strand of hair) is bridged; a long one is background.
                if gap > face_len * 0.08 {
                    break;
                }
            }
            t += step;
        }
        if let Some(t) = last_inside {
            best_t = best_t.max(t);
        }
    }
    let t = best_t.min(t_cap);
    let crown = [eye_mid[0] + axis[0] * t, eye_mid[1] + axis[1] * t];
    // Cut off when the head itself, not just hair above the cap, runs out of the photo.
    let cut = crown[1] <= step || (touches_top && best_t <= t_cap && crown[1] < face_len * 0.1);
    (crown, cut)
}
