//! The application domain without I/O: form IDs, dates and ages, certificates and validity,
//! express issuance, contact details, and the application's states (spec sections 3 and 4).
//! Every function takes the dates it needs (no clock), so callers and tests decide "today".

pub mod age;
pub mod contact;
pub mod dob;
pub mod eligibility;
pub mod express;
pub mod form_id;
pub mod next_step;
pub mod options;
pub mod state;
mod text;
pub mod validity;

pub use age::{age_on, birthday_in, photo_exempt, AgeError};
pub use contact::{Contact, ContactName, Email, EmailError, NameError};
pub use dob::{DateOfBirth, DobError};
pub use eligibility::{eligibility, Eligibility, NotIssuedReason, SignatureCertificate};
pub use express::{ExpressError, ExpressReason, ExpressRequest};
pub use form_id::{FormId, FormIdError};
pub use next_step::{next_step, NextStep};
pub use options::{CardOptions, Certificates, Channel};
pub use state::{Actor, Event, PhotoVerdict, State, Transition, TransitionError};
pub use validity::{
    card_valid_until, certificates_valid_until, nth_birthday_after, validity, Validity,
    ValidityError,
};
