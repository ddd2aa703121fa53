//! Reviewers overrule or confirm the machine. Each decision is a transition (so it lands in the
//! append-only audit log with who, when and why) and tells the applicant by mail, in one
//! transaction.

use chrono::Utc;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::application::{Actor, Event, State, Transition};
use crate::auth::Reviewer;
use crate::mail::templates::{self, Lang};
use crate::office::{conflict, invalid, IntakeError, Office};
use crate::outbox;
use crate::store::applications as apps;
use crate::vetting::messages;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Accept the photo despite the machine; the reason is required.
    Accept { reason: String },
    /// Confirm the rejection and ask for a new photo: rule ids (P9...) and/or a note.
    Retake {
        #[serde(default)]
        rules: Vec<String>,
        #[serde(default)]
        note: Option<String>,
    },
}

pub(crate) fn forwarding_now() -> IntakeError {
    conflict(
        "forwarding",
        "the application is being forwarded to the issuer and can no longer change",
        "この申請は発行機関へ送付中のため変更できません。",
    )
}

pub async fn item(office: &Office, app_id: &str) -> Result<Value, IntakeError> {
    let mut conn = office.db.pool.acquire().await?;
    let app = apps::by_id(&mut conn, app_id)
        .await?
        .ok_or(IntakeError::NotFound)?;
    let photo = match &app.photo_id {
        Some(id) => apps::photo(&mut conn, id).await?,
        None => None,
    };
    let history = apps::history(&mut conn, app_id).await?;
    Ok(json!({
        "id": app.id,
        "form_id_tail": apps::mask_form_id(&app.form_id),
        "channel": app.channel,
        "state": app.state,
        "exception_reason": app.exception_reason,
        "date_of_birth": app.date_of_birth,
        // Sent back with the decision, so it applies to this photo and no later one.
        "photo_id": app.photo_id,
        "forward_hold": app.forward_hold,
        "complete": app.completed_at.is_some(),
        "photo": photo.map(|p| json!({
            "verdict": p.verdict,
            "failing_rules": p.failing_rules,
            "report": p.report,
            "original_available": p.original_sha.is_some(),
            "crop_available": p.crop_sha.is_some(),
            "submitted_at": p.created_at,
        })),
        "history": history,
    }))
}

/// A retake link lasts two weeks: people take a new photo when they can.
const RETAKE_LINK_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

pub async fn decide(
    office: &Office,
    app_id: &str,
    reviewer: &Reviewer,
    decision: Decision,
) -> Result<State, IntakeError> {
    decide_seen(office, app_id, reviewer, decision, None).await
}

/// A decision about the photo the reviewer looked at: when `seen_photo` is given and the
/// application has another photo by now (a retake arrived meanwhile), the decision is refused
/// (409) instead of applying to a photo nobody looked at. Refused too while it is being
/// forwarded.
pub async fn decide_seen(
    office: &Office,
    app_id: &str,
    reviewer: &Reviewer,
    decision: Decision,
    seen_photo: Option<&str>,
) -> Result<State, IntakeError> {
    let event = match &decision {
        Decision::Accept { reason } => Event::ReviewerAccepted {
            reason: reason.trim().to_string(),
        },
        Decision::Retake { rules, note } => {
            for r in rules {
                if messages::rule_title(r).is_none() {
                    return Err(invalid(
                        "unknown_rule",
                        &format!("unknown rule id {r:?}"),
                        "不明な規則IDです。",
                    ));
                }
            }
            let mut reasons: Vec<String> = rules.clone();
            if let Some(n) = note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                reasons.push(n.to_string());
            }
            Event::RetakeRequested { reasons }
        }
    };
    let mut tx = office.db.begin().await?;
    apps::by_id(&mut tx, app_id)
        .await?
        .ok_or(IntakeError::NotFound)?;
    if !apps::lock_unclaimed(&mut tx, app_id).await? {
        return Err(forwarding_now());
    }
    // Read again under the lock: a photo may have arrived while we waited for it.
    let app = apps::by_id(&mut tx, app_id)
        .await?
        .ok_or(IntakeError::NotFound)?;
    let t = Transition::record(
        app.state,
        event,
        Actor::Reviewer {
            id: reviewer.id.clone(),
        },
        Utc::now(),
    )
    .map_err(|e| match e {
        crate::application::TransitionError::MissingReason(_) => invalid(
            "reason_required",
            "a decision needs a reason",
            "判断の理由を入力してください。",
        ),
        e => conflict(
            "not_allowed_now",
            &format!("not possible in this state: {e}"),
            "現在の申請状態ではこの操作はできません。",
        ),
    })?;
    if let Some(seen) = seen_photo {
        if app.photo_id.as_deref().unwrap_or("") != seen {
            return Err(conflict(
                "photo_changed",
                "the application has a newer photo than the one you looked at; reload",
                "確認した写真の後に新しい写真が届いています。再読み込みしてください。",
            ));
        }
    }
    apps::apply_transition(&mut tx, app_id, &t).await?;
    if let Some(to) = &app.email {
        let lang = Lang::from_code(&app.lang);
        let name = app.contact_name.as_deref().unwrap_or("");
        let masked = apps::mask_form_id(&app.form_id);
        let (kind, (subject, body)) = match &decision {
            Decision::Accept { .. } => ("accepted", templates::accepted_mail(lang, name, &masked)),
            Decision::Retake { rules, note } => {
                let reasons: Vec<(String, String)> = rules
                    .iter()
                    .map(|r| {
                        let text = messages::rule_title(r)
                            .map(|m| m.text(lang))
                            .unwrap_or_default();
                        (r.clone(), text)
                    })
                    .collect();
                // Straight back to the photo step: a one-time link signs the applicant in, so
                // nothing is typed again.
                let token = crate::auth::create_link(&mut tx, app_id, RETAKE_LINK_TTL_MS).await?;
                let url = format!(
                    "{}/apply/link/{token}",
                    office.config.public_url.trim_end_matches('/')
                );
                (
                    "retake",
                    templates::retake_mail(lang, name, &reasons, note.as_deref(), Some(&url)),
                )
            }
        };
        outbox::enqueue(&mut tx, Some(app_id), kind, to, &subject, &body).await?;
    }
    tx.commit().await?;
    office.mail_wakeup.notify_one();
    Ok(t.to)
}
