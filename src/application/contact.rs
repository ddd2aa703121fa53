//! D3: contact name and email for the web channels.
//!
//! The email check is deliberately narrow: the address is proven by a link sent to it, so the
//! syntax check only has to keep out typos and addresses mail software would refuse. It accepts
//! the common subset of RFC 5321/5322 (a dot-atom local part, a DNS host name) and refuses
//! quoted local parts, comments, IP literals and raw non-ASCII (internationalised domains must
//! be in punycode). Old Japanese mobile addresses with consecutive dots or a dot before '@'
//! (e.g. "taro..yamada.@docomo.ne.jp") are refused: they are not valid RFC 5322 and many mail
//! servers reject them; the error says so, so the applicant can give another address.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::text::ascii_form;

pub const EMAIL_MAX: usize = 254;
const LOCAL_MAX: usize = 64;
const LABEL_MAX: usize = 63;
pub const NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("the email address is longer than 254 characters")]
    TooLong,
    #[error("the email address needs exactly one '@'")]
    At,
    #[error("the part before '@' is empty or longer than 64 characters")]
    LocalLength,
    #[error("the email address contains {0:?}, which we cannot accept")]
    Character(char),
    #[error("a dot cannot start or end the part before '@' or come twice in a row")]
    DotPlacement,
    #[error("the part after '@' is not a valid domain name")]
    Domain,
}

impl EmailError {
    pub fn code(&self) -> &'static str {
        match self {
            EmailError::Empty => "email_empty",
            EmailError::TooLong => "email_too_long",
            EmailError::At => "email_at",
            EmailError::LocalLength => "email_local_length",
            EmailError::Character(_) => "email_character",
            EmailError::DotPlacement => "email_dot_placement",
            EmailError::Domain => "email_domain",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            EmailError::Empty => "メールアドレスを入力してください。".to_string(),
            EmailError::TooLong => "メールアドレスが長すぎます（254文字まで）。".to_string(),
            EmailError::At => "メールアドレスには「@」を1つだけ含めてください。".to_string(),
            EmailError::LocalLength => "「@」の前の部分が空か、64文字を超えています。".to_string(),
            EmailError::Character(c) => {
                format!("メールアドレスに使用できない文字「{c}」が含まれています。")
            }
            EmailError::DotPlacement => {
                "「@」の前でドット（.）が先頭・末尾にあるか、連続しています。\
                 このアドレスは受け付けられないため、別のメールアドレスを入力してください。"
                    .to_string()
            }
            EmailError::Domain => "「@」の後ろ（ドメイン）が正しくありません。".to_string(),
        }
    }
}

/// A syntactically plausible email address, trimmed, with full-width characters converted and
/// the domain lower-cased (the local part keeps its case: servers may distinguish it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= LABEL_MAX
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        // An IME in full-width mode types "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"; the link proves the result.
        let s: String = input.chars().map(ascii_form).collect();
        let s = s.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if let Some(c) = s
            .chars()
            .find(|c| !c.is_ascii() || c.is_ascii_control() || *c == ' ')
        {
            return Err(EmailError::Character(c));
        }
        if s.len() > EMAIL_MAX {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = match s.split_once('@') {
            Some((l, d)) if !d.contains('@') => (l, d),
            _ => return Err(EmailError::At),
        };
        if local.is_empty() || local.len() > LOCAL_MAX {
            return Err(EmailError::LocalLength);
        }
        if let Some(c) = local.chars().find(|&c| !is_atext(c) && c != '.') {
            return Err(EmailError::Character(c));
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::DotPlacement);
        }
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        let tld = labels.last().copied().unwrap_or("");
        // At least two labels, and a top-level domain that is letters (or punycode): this
        // refuses "taro@localhost" and "taro@192.168.0.1".
        let tld_ok = tld.len() >= 2
            && (tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--"));
        if labels.len() < 2 || !labels.iter().all(|l| valid_label(l)) || !tld_ok {
            return Err(EmailError::Domain);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    #[error("enter a contact name")]
    Empty,
    #[error("the contact name is longer than 100 characters")]
    TooLong,
    #[error("the contact name contains a control character")]
    Control,
}

impl NameError {
    pub fn code(&self) -> &'static str {
        match self {
            NameError::Empty => "name_empty",
            NameError::TooLong => "name_too_long",
            NameError::Control => "name_control",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            NameError::Empty => "連絡先の氏名を入力してください。",
            NameError::TooLong => "連絡先の氏名は100文字以内で入力してください。",
            NameError::Control => "連絡先の氏名に使用できない文字が含まれています。",
        }
        .to_string()
    }
}

/// A contact name: any script, trimmed of leading and trailing whitespace (including the
/// ideographic space), with inner runs of whitespace collapsed to one ASCII space, 1 to 100
/// characters. It is for addressing mail, not the name on the card, so it is not checked
/// against the resident register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContactName(String);

impl ContactName {
    pub fn parse(input: &str) -> Result<ContactName, NameError> {
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(NameError::Control);
        }
        let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
        match name.chars().count() {
            0 => Err(NameError::Empty),
            n if n > NAME_MAX_CHARS => Err(NameError::TooLong),
            _ => Ok(ContactName(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContactName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ContactName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ContactName::parse(&s)
    }
}

impl From<ContactName> for String {
    fn from(n: ContactName) -> String {
        n.0
    }
}

/// D3 together: whom to write to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: ContactName,
    pub email: Email,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_pass() {
        for (input, stored) in [
            ("taro@example.jp", "taro@example.jp"),
            (
                "Taro.Yamada+card@Mail.Example.CO.JP",
                "Taro.Yamada+card@mail.example.co.jp",
            ),
            ("  hanako_1985@docomo.ne.jp ", "hanako_1985@docomo.ne.jp"),
            ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
            ("o'brien@example.com", "o'brien@example.com"),
            ("x@a-b.xn--wgv71a", "x@a-b.xn--wgv71a"),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), stored, "{input}");
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        use EmailError::*;
        for (input, err) in [
            ("", Empty),
            ("   ", Empty),
            ("taro.example.jp", At),
            ("taro@@example.jp", At),
            ("a@b@example.jp", At),
            ("@example.jp", LocalLength),
            ("taro..yamada.@docomo.ne.jp", DotPlacement),
            (".taro@example.jp", DotPlacement),
            ("taro.@example.jp", DotPlacement),
            ("\"taro\"@example.jp", Character('"')),
            ("taro yamada@example.jp", Character(' ')),
            ("太郎@example.jp", Character('太')),
            ("taro@例え.jp", Character('例')),
            ("taro@localhost", Domain),
            ("taro@192.168.0.1", Domain),
            ("taro@[192.168.0.1]", Domain),
            ("taro@example.", Domain),
            ("taro@-example.jp", Domain),
            ("taro@example..jp", Domain),
            ("taro@example.j", Domain),
        ] {
            assert_eq!(Email::parse(input), Err(err), "{input}");
        }
        let long_local = format!("{}@example.jp", "a".repeat(65));
        assert_eq!(Email::parse(&long_local), Err(LocalLength));
        let long = format!("a@{}.jp", "b".repeat(260));
        assert_eq!(Email::parse(&long), Err(TooLong));
        let long_label = format!("a@{}.jp", "b".repeat(64));
        assert_eq!(Email::parse(&long_label), Err(Domain));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            ContactName::parse("　山田　太郎　").unwrap().as_str(),
            "山田 太郎"
        );
        assert_eq!(
            ContactName::parse(" Taro   Yamada\n").unwrap().as_str(),
            "Taro Yamada"
        );
        assert_eq!(ContactName::parse(" 　\t"), Err(NameError::Empty));
        assert_eq!(ContactName::parse("a\u{0}b"), Err(NameError::Control));
        assert!(ContactName::parse(&"山".repeat(100)).is_ok());
        assert_eq!(
            ContactName::parse(&"山".repeat(101)),
            Err(NameError::TooLong)
        );
    }

    #[test]
    fn serde_validates() {
        let c = Contact {
            name: ContactName::parse("山田 太郎").unwrap(),
            email: Email::parse("taro@example.jp").unwrap(),
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"name":"山田 太郎","email":"taro@example.jp"}"#);
        assert_eq!(serde_json::from_str::<Contact>(&json).unwrap(), c);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        assert!(serde_json::from_str::<ContactName>("\"\"").is_err());
    }
}
