//! The application's life: states, the events that move it, and the record of each move.
//!
//! ```text
//! registered       --new_photo-->         photo_submitted
//! registered       --no_photo_needed-->   accepted            (age 0, from 2024-12-02)
//! photo_submitted  --photo_vetted-->      auto_accepted | auto_rejected | in_review
//! auto_rejected, in_review        --reviewer_accepted--> accepted
//! auto_accepted, auto_rejected, in_review --retake_requested--> retake_requested
//! photo_submitted, auto_*, in_review, retake_requested --new_photo--> photo_submitted
//! auto_accepted, accepted         --forwarded-->  forwarded   (final)
//! any open state                  --withdrawn-->  withdrawn   (final)
//! ```
//! Decisions the issue left open:
//! - Age-0 applications go `registered` → `accepted` by `no_photo_needed` and never enter a
//!   photo state; `accepted` refuses `new_photo`, so no photo can be attached afterwards.
//! - A reviewer can override any automatic verdict (spec section 5): accept an `auto_rejected`
//!   photo, or ask for a retake of an `auto_accepted` or `auto_rejected` one. Accepting needs a
//!   written reason; a retake needs at least one reason.
//! - `auto_accepted` and `accepted` are forwarded; `forwarded` is final.
//! - Until the photo is accepted by a person or forwarded, the applicant may replace it
//!   (`new_photo` from `photo_submitted`, `auto_*`, `in_review`, `retake_requested`); the
//!   replacement is vetted afresh and any pending review is moot.
//! - `withdrawn` (not in the issue) ends an application that will not be forwarded: the
//!   applicant gives up, or a reviewer or retention job closes it, with a reason.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Registered,
    PhotoSubmitted,
    AutoAccepted,
    AutoRejected,
    InReview,
    Accepted,
    RetakeRequested,
    Forwarded,
    Withdrawn,
}

/// The vetting verdict as the state machine needs it; mirrors `vetting::report::Verdict`
/// without depending on the vetting module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoVerdict {
    Accept,
    Reject,
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A photo arrived (first or replacement).
    NewPhoto,
    PhotoVetted {
        verdict: PhotoVerdict,
    },
    /// A reviewer accepts the photo, with the written reason the override needs.
    ReviewerAccepted {
        reason: String,
    },
    /// A reviewer asks for a new photo: the rule ids or messages that say what to change.
    RetakeRequested {
        reasons: Vec<String>,
    },
    /// Age 0 from 2024-12-02: the card is made without a photo.
    NoPhotoNeeded,
    /// Sent on to the issuer.
    Forwarded,
    Withdrawn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::NewPhoto => "new_photo",
            Event::PhotoVetted { .. } => "photo_vetted",
            Event::ReviewerAccepted { .. } => "reviewer_accepted",
            Event::RetakeRequested { .. } => "retake_requested",
            Event::NoPhotoNeeded => "no_photo_needed",
            Event::Forwarded => "forwarded",
            Event::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// Who caused a transition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// The service itself: vetting, forwarding, retention.
    System,
    /// The applicant on the web.
    Applicant,
    /// A photo booth, by its id.
    Booth { id: String },
    /// A reviewer or counter clerk, by their id.
    Reviewer { id: String },
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::Applicant => "applicant",
            Actor::Booth { .. } => "booth",
            Actor::Reviewer { .. } => "reviewer",
        }
    }

    /// Whether this actor may cause `event`. Photos come from applicants, booths, or a
    /// reviewer entering a counter application; only the system vets; only reviewers
    /// override; forwarding is the system's job or a reviewer's.
    fn may(&self, event: &Event) -> bool {
        use Actor::*;
        match event {
            Event::NewPhoto => !matches!(self, System),
            Event::PhotoVetted { .. } => matches!(self, System),
            Event::ReviewerAccepted { .. } | Event::RetakeRequested { .. } => {
                matches!(self, Reviewer { .. })
            }
            Event::NoPhotoNeeded | Event::Forwarded => matches!(self, System | Reviewer { .. }),
            Event::Withdrawn { .. } => true,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Booth { id } | Actor::Reviewer { id } => write!(f, "{}:{id}", self.kind()),
            _ => f.write_str(self.kind()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("the application is {0} and cannot change")]
    Final(State),
    #[error("{event} is not possible when the application is {from}")]
    NotAllowed { from: State, event: &'static str },
    #[error("{actor} may not cause {event}")]
    Forbidden {
        actor: &'static str,
        event: &'static str,
    },
    #[error("{0} needs a written reason")]
    MissingReason(&'static str),
    #[error("an actor id must not be empty")]
    EmptyActorId,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl State {
    pub const ALL: [State; 9] = [
        State::Registered,
        State::PhotoSubmitted,
        State::AutoAccepted,
        State::AutoRejected,
        State::InReview,
        State::Accepted,
        State::RetakeRequested,
        State::Forwarded,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Registered => "registered",
            State::PhotoSubmitted => "photo_submitted",
            State::AutoAccepted => "auto_accepted",
            State::AutoRejected => "auto_rejected",
            State::InReview => "in_review",
            State::Accepted => "accepted",
            State::RetakeRequested => "retake_requested",
            State::Forwarded => "forwarded",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Forwarded | State::Withdrawn)
    }

    /// The state after `event`, or why it cannot happen. Does not check who caused it: see
    /// `Transition::record`.
    pub fn transition(&self, event: &Event) -> Result<State, TransitionError> {
        use State::*;
        if self.is_final() {
            return Err(TransitionError::Final(*self));
        }
        match event {
            Event::ReviewerAccepted { reason } if blank(reason) => {
                return Err(TransitionError::MissingReason(event.name()))
            }
            Event::RetakeRequested { reasons } if reasons.iter().all(|r| blank(r)) => {
                return Err(TransitionError::MissingReason(event.name()))
            }
            _ => {}
        }
        let next = match (self, event) {
            (Registered, Event::NoPhotoNeeded) => Accepted,
            (
                Registered | PhotoSubmitted | AutoAccepted | AutoRejected | InReview
                | RetakeRequested,
                Event::NewPhoto,
            ) => PhotoSubmitted,
            (PhotoSubmitted, Event::PhotoVetted { verdict }) => match verdict {
                PhotoVerdict::Accept => AutoAccepted,
                PhotoVerdict::Reject => AutoRejected,
                PhotoVerdict::Review => InReview,
            },
            (AutoRejected | InReview, Event::ReviewerAccepted { .. }) => Accepted,
            // (Accepted too: forwarding may hold back an accepted photo whose crop fails F3-F5.)
            (AutoAccepted | AutoRejected | InReview | Accepted, Event::RetakeRequested { .. }) => {
                RetakeRequested
            }
            (AutoAccepted | Accepted, Event::Forwarded) => Forwarded,
            (_, Event::Withdrawn { .. }) => Withdrawn,
            _ => {
                return Err(TransitionError::NotAllowed {
                    from: *self,
                    event: event.name(),
                })
            }
        };
        Ok(next)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown application state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_string()))
    }
}

/// One move, as the storage layer keeps it for good: from, to, what happened and why (the
/// event with its verdict or reasons), who, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub event: Event,
    pub actor: Actor,
    pub at: DateTime<Utc>,
}

impl Transition {
    /// Checks that `actor` may cause `event` and that `from` allows it, then records the move.
    /// Withdrawal by anyone but the applicant (or their booth) needs a reason.
    pub fn record(
        from: State,
        event: Event,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        if let Actor::Booth { id } | Actor::Reviewer { id } = &actor {
            if blank(id) {
                return Err(TransitionError::EmptyActorId);
            }
        }
        if !actor.may(&event) {
            return Err(TransitionError::Forbidden {
                actor: actor.kind(),
                event: event.name(),
            });
        }
        if let Event::Withdrawn { reason } = &event {
            let by_applicant = matches!(actor, Actor::Applicant | Actor::Booth { .. });
            if !by_applicant && reason.as_deref().is_none_or(blank) {
                return Err(TransitionError::MissingReason(event.name()));
            }
        }
        let to = from.transition(&event)?;
        Ok(Transition {
            from,
            to,
            event,
            actor,
            at,
        })
    }

    /// A one-line account for logs and the reviewer console.
    pub fn why(&self) -> String {
        match &self.event {
            Event::PhotoVetted { verdict } => format!("photo vetted: {verdict:?}").to_lowercase(),
            Event::ReviewerAccepted { reason } => format!("accepted by reviewer: {reason}"),
            Event::RetakeRequested { reasons } => format!("retake: {}", reasons.join("; ")),
            Event::Withdrawn {
                reason: Some(reason),
            } => format!("withdrawn: {reason}"),
            e => e.name().replace('_', " "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    fn events() -> Vec<Event> {
        vec![
            Event::NewPhoto,
            Event::PhotoVetted {
                verdict: PhotoVerdict::Accept,
            },
            Event::PhotoVetted {
                verdict: PhotoVerdict::Reject,
            },
            Event::PhotoVetted {
                verdict: PhotoVerdict::Review,
            },
            Event::ReviewerAccepted {
                reason: "hat is a religious head covering; face outline visible".into(),
            },
            Event::RetakeRequested {
                reasons: vec!["P17".into()],
            },
            Event::NoPhotoNeeded,
            Event::Forwarded,
            Event::Withdrawn { reason: None },
        ]
    }

    /// The whole table, written out independently of the `match` in `transition`.
    fn expected(from: State, e: &Event) -> Option<State> {
        let table: &[(State, &str, State)] = &[
            (Registered, "new_photo", PhotoSubmitted),
            (Registered, "no_photo_needed", Accepted),
            (Registered, "withdrawn", Withdrawn),
            (PhotoSubmitted, "new_photo", PhotoSubmitted),
            (PhotoSubmitted, "photo_vetted:accept", AutoAccepted),
            (PhotoSubmitted, "photo_vetted:reject", AutoRejected),
            (PhotoSubmitted, "photo_vetted:review", InReview),
            (PhotoSubmitted, "withdrawn", Withdrawn),
            (AutoAccepted, "new_photo", PhotoSubmitted),
            (AutoAccepted, "retake_requested", RetakeRequested),
            (AutoAccepted, "forwarded", Forwarded),
            (AutoAccepted, "withdrawn", Withdrawn),
            (AutoRejected, "new_photo", PhotoSubmitted),
            (AutoRejected, "reviewer_accepted", Accepted),
            (AutoRejected, "retake_requested", RetakeRequested),
            (AutoRejected, "withdrawn", Withdrawn),
            (InReview, "new_photo", PhotoSubmitted),
            (InReview, "reviewer_accepted", Accepted),
            (InReview, "retake_requested", RetakeRequested),
            (InReview, "withdrawn", Withdrawn),
            (Accepted, "retake_requested", RetakeRequested),
            (Accepted, "forwarded", Forwarded),
            (Accepted, "withdrawn", Withdrawn),
            (RetakeRequested, "new_photo", PhotoSubmitted),
            (RetakeRequested, "withdrawn", Withdrawn),
        ];
        let key = match e {
            Event::PhotoVetted { verdict } => format!("photo_vetted:{verdict:?}").to_lowercase(),
            e => e.name().to_string(),
        };
        table
            .iter()
            .find(|(f, k, _)| *f == from && *k == key)
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn every_state_event_pair_follows_the_table() {
        for from in State::ALL {
            for e in events() {
                match (from.transition(&e), expected(from, &e)) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from} {}", e.name()),
                    (Err(TransitionError::Final(s)), None) => {
                        assert!(from.is_final());
                        assert_eq!(s, from);
                    }
                    (Err(TransitionError::NotAllowed { from: f, event }), None) => {
                        assert!(!from.is_final());
                        assert_eq!((f, event), (from, e.name()));
                    }
                    (got, want) => panic!("{from} {}: got {got:?}, want {want:?}", e.name()),
                }
            }
        }
    }

    #[test]
    fn every_state_is_reachable_and_every_open_state_can_finish() {
        let step = |s: State| -> Vec<State> {
            events()
                .iter()
                .filter_map(|e| s.transition(e).ok())
                .collect()
        };
        // Every state reachable from `from` (breadth first over all events).
        let reachable = |from: State| -> Vec<State> {
            let mut seen = vec![from];
            let mut i = 0;
            while i < seen.len() {
                for n in step(seen[i]) {
                    if !seen.contains(&n) {
                        seen.push(n);
                    }
                }
                i += 1;
            }
            seen
        };
        let seen = reachable(Registered);
        assert_eq!(seen.len(), State::ALL.len(), "{seen:?}");
        // From each open state, forwarded is reachable (no dead ends but withdrawal).
        for s in State::ALL.into_iter().filter(|s| !s.is_final()) {
            let seen = reachable(s);
            assert!(seen.contains(&Forwarded), "{s} cannot reach forwarded");
        }
    }

    #[test]
    fn overrides_need_reasons() {
        for from in [AutoRejected, InReview] {
            let e = Event::ReviewerAccepted {
                reason: "  ".into(),
            };
            assert_eq!(
                from.transition(&e),
                Err(TransitionError::MissingReason("reviewer_accepted"))
            );
            let e = Event::RetakeRequested { reasons: vec![] };
            assert_eq!(
                from.transition(&e),
                Err(TransitionError::MissingReason("retake_requested"))
            );
            let e = Event::RetakeRequested {
                reasons: vec!["".into()],
            };
            assert!(from.transition(&e).is_err());
        }
    }

    #[test]
    fn age_zero_skips_the_photo_states_for_good() {
        let s = Registered.transition(&Event::NoPhotoNeeded).unwrap();
        assert_eq!(s, Accepted);
        assert!(s.transition(&Event::NewPhoto).is_err());
        assert!(s
            .transition(&Event::PhotoVetted {
                verdict: PhotoVerdict::Accept
            })
            .is_err());
        assert_eq!(s.transition(&Event::Forwarded), Ok(Forwarded));
    }

    fn now() -> DateTime<Utc> {
        "2026-03-15T09:30:00Z".parse().unwrap()
    }

    fn reviewer() -> Actor {
        Actor::Reviewer { id: "r-007".into() }
    }

    #[test]
    fn actors_are_checked() {
        let vetted = Event::PhotoVetted {
            verdict: PhotoVerdict::Review,
        };
        let accept = Event::ReviewerAccepted {
            reason: "declared medical eye patch".into(),
        };
        for (actor, event, from, ok) in [
            (Actor::System, vetted.clone(), PhotoSubmitted, true),
            (Actor::Applicant, vetted.clone(), PhotoSubmitted, false),
            (reviewer(), vetted.clone(), PhotoSubmitted, false),
            (reviewer(), accept.clone(), InReview, true),
            (Actor::System, accept.clone(), InReview, false),
            (Actor::Applicant, accept.clone(), InReview, false),
            (Actor::Applicant, Event::NewPhoto, Registered, true),
            (
                Actor::Booth { id: "b-1".into() },
                Event::NewPhoto,
                Registered,
                true,
            ),
            (reviewer(), Event::NewPhoto, Registered, true),
            (Actor::System, Event::NewPhoto, Registered, false),
            (Actor::System, Event::Forwarded, Accepted, true),
            (Actor::Applicant, Event::Forwarded, Accepted, false),
            (Actor::System, Event::NoPhotoNeeded, Registered, true),
            (Actor::Applicant, Event::NoPhotoNeeded, Registered, false),
        ] {
            let r = Transition::record(from, event.clone(), actor.clone(), now());
            assert_eq!(r.is_ok(), ok, "{actor} {} from {from}: {r:?}", event.name());
            if !ok {
                assert!(matches!(r, Err(TransitionError::Forbidden { .. })));
            }
        }
        assert_eq!(
            Transition::record(
                Registered,
                Event::NewPhoto,
                Actor::Booth { id: " ".into() },
                now()
            ),
            Err(TransitionError::EmptyActorId)
        );
    }

    #[test]
    fn withdrawal_by_others_needs_a_reason() {
        let bare = Event::Withdrawn { reason: None };
        assert!(Transition::record(InReview, bare.clone(), Actor::Applicant, now()).is_ok());
        assert_eq!(
            Transition::record(InReview, bare, reviewer(), now()),
            Err(TransitionError::MissingReason("withdrawn"))
        );
        let why = Event::Withdrawn {
            reason: Some("retention period ended".into()),
        };
        let t = Transition::record(InReview, why, Actor::System, now()).unwrap();
        assert_eq!(t.to, Withdrawn);
        assert_eq!(t.why(), "withdrawn: retention period ended");
    }

    #[test]
    fn a_whole_life_round_trips_through_serde() {
        let steps = [
            (Event::NewPhoto, Actor::Applicant),
            (
                Event::PhotoVetted {
                    verdict: PhotoVerdict::Reject,
                },
                Actor::System,
            ),
            (
                Event::RetakeRequested {
                    reasons: vec!["P17".into(), "P10".into()],
                },
                reviewer(),
            ),
            (Event::NewPhoto, Actor::Booth { id: "b-12".into() }),
            (
                Event::PhotoVetted {
                    verdict: PhotoVerdict::Review,
                },
                Actor::System,
            ),
            (
                Event::ReviewerAccepted {
                    reason: "shadow is faint".into(),
                },
                reviewer(),
            ),
            (Event::Forwarded, Actor::System),
        ];
        let mut state = Registered;
        let mut log = Vec::new();
        for (event, actor) in steps {
            let t = Transition::record(state, event, actor, now()).unwrap();
            state = t.to;
            log.push(t);
        }
        assert_eq!(state, Forwarded);
        let json = serde_json::to_value(&log).unwrap();
        assert_eq!(
            json[2],
            serde_json::json!({
                "from": "auto_rejected",
                "to": "retake_requested",
                "event": {"kind": "retake_requested", "reasons": ["P17", "P10"]},
                "actor": {"kind": "reviewer", "id": "r-007"},
                "at": "2026-03-15T09:30:00Z",
            })
        );
        assert_eq!(json[0]["actor"], serde_json::json!({"kind": "applicant"}));
        let back: Vec<Transition> = serde_json::from_value(json).unwrap();
        assert_eq!(back, log);
        assert_eq!(log[1].why(), "photo vetted: reject");
        assert_eq!(log[2].why(), "retake: P17; P10");
    }

    #[test]
    fn state_names_round_trip() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert!("accepted ".parse::<State>().is_err());
    }
}
