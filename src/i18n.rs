//! Every word shown to people, from Fluent catalogues a translator edits without touching Rust:
//! `locales/<lang>/{pages,rules,mail,errors,kiosk}.ftl` for each applicant language (kiosk: the
//! booth's live screen), and
//! `locales/{ja,en}/console.ftl` for the reviewer console (municipal staff work in Japanese or
//! English). The files are compiled into the binary so a deployment cannot lose one; a test
//! fails when any catalogue lacks a message Japanese has or has one Japanese lacks.
//!
//! Code refers to a message by a dotted key (`photo.title`); the catalogue id is the same with
//! dashes (`photo-title`), since Fluent ids cannot hold dots.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

/// The languages of the pages, mails and rule messages: Japanese, easy Japanese, English and
/// the languages of the largest foreign-resident groups in Japan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Lang {
    #[default]
    Ja,
    /// やさしい日本語: short sentences and everyday words, as municipalities write for
    /// residents still learning Japanese.
    JaEasy,
    En,
    ZhHans,
    Vi,
    Ko,
    Fil,
    PtBr,
    Ne,
    Id,
    My,
    Th,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 13] = [
        Lang::Ja,
        Lang::JaEasy,
        Lang::En,
        Lang::ZhHans,
        Lang::Vi,
        Lang::Ko,
        Lang::Fil,
        Lang::PtBr,
        Lang::Ne,
        Lang::Id,
        Lang::My,
        Lang::Th,
        Lang::Es,
    ];

    /// The BCP 47 tag, used in `<html lang>`, the cookie, the stored application and the
    /// catalogue folder. Easy Japanese has no registered subtag: `ja-x-easy` is a private-use
    /// tag that still starts with `ja`, so screen readers and fonts treat it as Japanese.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::JaEasy => "ja-x-easy",
            Lang::En => "en",
            Lang::ZhHans => "zh-Hans",
            Lang::Vi => "vi",
            Lang::Ko => "ko",
            Lang::Fil => "fil",
            Lang::PtBr => "pt-BR",
            Lang::Ne => "ne",
            Lang::Id => "id",
            Lang::My => "my",
            Lang::Th => "th",
            Lang::Es => "es",
        }
    }

    /// The tag as written exactly (any case, `_` for `-`), for a stored or chosen language.
    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().replace('_', "-");
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(&code))
    }

    /// A stored or chosen tag, else the closest language to it ("en-US" is English, "zh-CN"
    /// simplified Chinese), else Japanese: the card is a Japanese document.
    pub fn from_code(code: &str) -> Lang {
        Lang::parse(code)
            .or_else(|| Lang::negotiate(code))
            .unwrap_or_default()
    }

    /// The best language for a whole `Accept-Language` header (every tag, by weight), or None
    /// when we have none of them. Easy Japanese is never negotiated: browsers cannot ask for
    /// it, so it is only ever the person's choice.
    pub fn negotiate(accept_language: &str) -> Option<Lang> {
        let requested = fluent_langneg::accepted_languages::parse(accept_language);
        let available: Vec<(LanguageIdentifier, Lang)> = Lang::ALL
            .into_iter()
            .filter(|l| *l != Lang::JaEasy)
            .filter_map(|l| l.code().parse().ok().map(|id| (id, l)))
            .collect();
        let ids: Vec<LanguageIdentifier> = available.iter().map(|(id, _)| id.clone()).collect();
        // Filtering keeps the header's order of preference; the first match wins.
        let best = fluent_langneg::negotiate_languages(
            &requested,
            &ids,
            None,
            fluent_langneg::NegotiationStrategy::Filtering,
        );
        let best = *best.first()?;
        available.iter().find(|(id, _)| id == best).map(|(_, l)| *l)
    }

    pub fn is_japanese(self) -> bool {
        matches!(self, Lang::Ja | Lang::JaEasy)
    }

    /// The reviewer console speaks Japanese or English.
    pub fn for_console(self) -> Lang {
        if self.is_japanese() {
            Lang::Ja
        } else {
            Lang::En
        }
    }

    /// Where a message missing here is looked for next.
    fn fallback(self) -> &'static [Lang] {
        match self {
            Lang::Ja => &[],
            Lang::JaEasy => &[Lang::Ja],
            Lang::En => &[Lang::Ja],
            _ => &[Lang::En, Lang::Ja],
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The catalogue files: which group of words each holds.
pub const FILES: [&str; 6] = ["pages", "rules", "mail", "errors", "kiosk", "console"];

/// `(file, text)` of the named catalogue files of the language folder `$dir`.
macro_rules! catalogue {
    ($dir:literal: $($file:ident),+) => {
        &[$((
            stringify!($file),
            include_str!(concat!("../locales/", $dir, "/", stringify!($file), ".ftl")),
        )),+]
    };
    // Every language has these; the console is Japanese and English only.
    ($dir:literal) => { catalogue!($dir: pages, rules, mail, errors, kiosk) };
    ($dir:literal, console) => { catalogue!($dir: pages, rules, mail, errors, kiosk, console) };
}

/// `(file, text)` of each catalogue file of a language.
pub fn sources(lang: Lang) -> &'static [(&'static str, &'static str)] {
    match lang {
        Lang::Ja => catalogue!("ja", console),
        Lang::JaEasy => catalogue!("ja-x-easy"),
        Lang::En => catalogue!("en", console),
        Lang::ZhHans => catalogue!("zh-Hans"),
        Lang::Vi => catalogue!("vi"),
        Lang::Ko => catalogue!("ko"),
        Lang::Fil => catalogue!("fil"),
        Lang::PtBr => catalogue!("pt-BR"),
        Lang::Ne => catalogue!("ne"),
        Lang::Id => catalogue!("id"),
        Lang::My => catalogue!("my"),
        Lang::Th => catalogue!("th"),
        Lang::Es => catalogue!("es"),
    }
}

struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    /// Messages without variables, formatted once, so `t` can hand out `&'static str`.
    plain: HashMap<String, String>,
}

fn catalogues() -> &'static HashMap<Lang, Catalogue> {
    static CATALOGUES: OnceLock<HashMap<Lang, Catalogue>> = OnceLock::new();
    CATALOGUES.get_or_init(|| Lang::ALL.into_iter().map(|l| (l, load(l))).collect())
}

fn load(lang: Lang) -> Catalogue {
    // Plural rules and number formats come from the primary language.
    let primary: LanguageIdentifier = lang
        .code()
        .split('-')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![primary]);
    // No bidi isolation marks around placeables: none of our languages is right-to-left, and
    // the marks would end up inside mail subjects and form values.
    bundle.set_use_isolating(false);
    let mut ids = Vec::new();
    for (file, text) in sources(lang) {
        let resource = match FluentResource::try_new(text.to_string()) {
            Ok(r) => r,
            Err((r, errors)) => {
                // The test below fails on this; at run time the rest of the file still works.
                tracing::error!(
                    lang = lang.code(),
                    file,
                    ?errors,
                    "catalogue does not parse"
                );
                r
            }
        };
        ids.extend(message_ids(&resource));
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang = lang.code(), file, ?errors, "catalogue conflicts");
        }
    }
    let mut plain = HashMap::new();
    for id in ids {
        let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            plain.insert(id, text.into_owned());
        }
    }
    Catalogue { bundle, plain }
}

fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

/// The text of `key` in `lang` (then its fallbacks). An unknown key shows as "?", logged, so
/// a test and a reader notice.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let id = fluent_id(key);
    let cats = catalogues();
    for l in std::iter::once(&lang).chain(lang.fallback()) {
        if let Some(text) = cats.get(l).and_then(|c| c.plain.get(&id)) {
            return text;
        }
    }
    tracing::warn!(key, lang = lang.code(), "missing text");
    "?"
}

/// `t` with variables: `{ $name }` in the catalogue, `("name", value)` here.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let id = fluent_id(key);
    let cats = catalogues();
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, *v);
    }
    for l in std::iter::once(&lang).chain(lang.fallback()) {
        let Some(cat) = cats.get(l) else { continue };
        if let Some(pattern) = cat.bundle.get_message(&id).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            let text = cat
                .bundle
                .format_pattern(pattern, Some(&fargs), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key, lang = l.code(), ?errors, "text formatted with errors");
            }
            return text.into_owned();
        }
    }
    tracing::warn!(key, lang = lang.code(), "missing text");
    "?".to_string()
}

/// Whether `lang` itself (no fallback) has `key`.
pub fn has(lang: Lang, key: &str) -> bool {
    catalogues()
        .get(&lang)
        .is_some_and(|c| c.bundle.has_message(&fluent_id(key)))
}

/// What to do next, in `lang`, for a next-step code (`application::next_step`); a reviewer's
/// retake request has its own words.
pub fn next_step_text(lang: Lang, code: &str, state: crate::application::State) -> &'static str {
    if code == "retake_photo" && state == crate::application::State::RetakeRequested {
        return t(lang, "next.retake_requested");
    }
    t(lang, &format!("next.{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids_of(text: &str) -> Result<BTreeSet<String>, String> {
        let res = FluentResource::try_new(text.to_string())
            .map_err(|(_, errors)| format!("{errors:?}"))?;
        let ids = message_ids(&res);
        let set: BTreeSet<String> = ids.iter().cloned().collect();
        if set.len() != ids.len() {
            return Err("duplicate message id".into());
        }
        Ok(set)
    }

    /// The variables a message's source uses (`{ $name }`), read from its lines. A comment
    /// line naming variables (`# Variables: $monthname`) declares them for the next message:
    /// the code gives them although Japanese does not use them.
    fn variables(text: &str) -> HashMap<String, BTreeSet<String>> {
        fn names(line: &str) -> Vec<String> {
            line.split('$')
                .skip(1)
                .map(|rest| {
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect()
                })
                .collect()
        }
        let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut current = String::new();
        let mut declared = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') {
                declared.extend(names(line));
                continue;
            }
            if let Some((id, _)) = line.split_once(" =") {
                if !line.starts_with([' ', '-']) {
                    current = id.trim().to_string();
                    out.entry(current.clone())
                        .or_default()
                        .extend(declared.drain(..));
                }
            }
            out.entry(current.clone()).or_default().extend(names(line));
        }
        out
    }

    /// What is wrong with one language's files measured against Japanese's: a file or message
    /// missing or extra, a file that does not parse, a placeable that does not resolve.
    fn problems(
        lang: &str,
        ja: &[(&str, &str)],
        files: &[(&str, &str)],
        optional: &[&str],
    ) -> Vec<String> {
        let ja: HashMap<&str, &str> = ja.iter().copied().collect();
        let mut out = Vec::new();
        let names: BTreeSet<&str> = files.iter().map(|(f, _)| *f).collect();
        for f in ja.keys() {
            if !names.contains(f) && !optional.contains(f) {
                out.push(format!("{lang} has no {f}.ftl"));
            }
        }
        let mut bundle = FluentBundle::new_concurrent(vec![LanguageIdentifier::default()]);
        bundle.set_use_isolating(false);
        for (file, text) in files {
            let Some(ja_text) = ja.get(file) else {
                out.push(format!("{lang}/{file}.ftl: Japanese has no such file"));
                continue;
            };
            let ja_ids = ids_of(ja_text).expect("Japanese parses");
            let ids = match ids_of(text) {
                Ok(ids) => ids,
                Err(e) => {
                    out.push(format!("{lang}/{file}.ftl does not parse: {e}"));
                    continue;
                }
            };
            for missing in ja_ids.difference(&ids) {
                out.push(format!("{lang}/{file}.ftl lacks {missing}"));
            }
            for extra in ids.difference(&ja_ids) {
                out.push(format!("{lang}/{file}.ftl has {extra}, Japanese does not"));
            }
            if let Ok(res) = FluentResource::try_new(text.to_string()) {
                let _ = bundle.add_resource(res);
            }
        }
        // Every placeable resolves with the variables the code gives the Japanese text.
        let ja_vars: HashMap<String, BTreeSet<String>> =
            ja.values().flat_map(|t| variables(t)).collect();
        for (file, text) in files {
            let own_vars = variables(text);
            for id in ids_of(text).unwrap_or_default() {
                let given = ja_vars.get(&id).cloned().unwrap_or_default();
                for v in own_vars.get(&id).into_iter().flatten() {
                    if !given.contains(v) {
                        out.push(format!("{lang}/{file}.ftl {id} uses ${v}, not given"));
                    }
                }
                let mut args = FluentArgs::new();
                for v in &given {
                    args.set(v.clone(), "x");
                }
                let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) else {
                    out.push(format!("{lang}/{file}.ftl {id} has no value"));
                    continue;
                };
                let mut errors = Vec::new();
                let formatted = bundle.format_pattern(pattern, Some(&args), &mut errors);
                if !errors.is_empty() || formatted.trim().is_empty() {
                    out.push(format!("{lang}/{file}.ftl {id}: {errors:?}"));
                }
            }
        }
        out
    }

    #[test]
    fn every_catalogue_has_exactly_the_japanese_messages_and_each_formats() {
        let mut all = Vec::new();
        for lang in Lang::ALL {
            // Only the console is Japanese and English only.
            let optional: &[&str] = if matches!(lang, Lang::Ja | Lang::En) {
                &[]
            } else {
                &["console"]
            };
            all.extend(problems(
                lang.code(),
                sources(Lang::Ja),
                sources(lang),
                optional,
            ));
        }
        assert!(all.is_empty(), "{}", all.join("\n"));
    }

    #[test]
    fn the_catalogue_check_catches_each_kind_of_fault() {
        let ja = [
            ("pages", "a = あ\nb = { $n }件\n"),
            ("mail", "m = メール\n"),
        ];
        assert!(problems(
            "ok",
            &ja,
            &[("pages", "a = A\nb = { $n } items\n"), ("mail", "m = M\n")],
            &[]
        )
        .is_empty());
        let found = |files: &[(&str, &str)]| problems("xx", &ja, files, &[]).join("\n");
        let mail = ("mail", "m = M\n");
        assert!(found(&[("pages", "a = A\n"), mail]).contains("lacks b"));
        assert!(found(&[("pages", "a = A\nb = B\nc = C\n"), mail]).contains("has c"));
        assert!(found(&[("pages", "a = A\nb = { $count } items\n"), mail]).contains("$count"));
        assert!(found(&[("pages", "a = A\nb = { other-msg }\n"), mail]).contains("xx/pages.ftl b"));
        assert!(found(&[("pages", "a = {\nb = B\n"), mail]).contains("does not parse"));
        assert!(found(&[("pages", "a = A\nb = { $n }\n")]).contains("no mail.ftl"));
    }

    #[test]
    fn languages_from_codes_and_headers() {
        assert_eq!(Lang::from_code("ja"), Lang::Ja);
        assert_eq!(Lang::from_code(" EN-us "), Lang::En);
        assert_eq!(Lang::from_code("ja-x-easy"), Lang::JaEasy);
        assert_eq!(Lang::from_code("pt-br"), Lang::PtBr);
        assert_eq!(Lang::from_code("fr"), Lang::Ja);
        assert_eq!(Lang::from_code(""), Lang::Ja);
        for l in Lang::ALL {
            assert_eq!(Lang::from_code(l.code()), l);
        }
        // The whole header counts, by weight, not only its first tag.
        assert_eq!(
            Lang::negotiate("fr-FR,fr;q=0.9,vi;q=0.8,en;q=0.5"),
            Some(Lang::Vi)
        );
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9"), Some(Lang::ZhHans));
        assert_eq!(Lang::negotiate("pt-BR,pt;q=0.9"), Some(Lang::PtBr));
        assert_eq!(Lang::negotiate("pt-PT"), Some(Lang::PtBr));
        assert_eq!(Lang::negotiate("es-MX,en;q=0.5"), Some(Lang::Es));
        assert_eq!(Lang::negotiate("ne-NP"), Some(Lang::Ne));
        assert_eq!(Lang::negotiate("my-MM"), Some(Lang::My));
        assert_eq!(Lang::negotiate("fil-PH"), Some(Lang::Fil));
        assert_eq!(Lang::negotiate("fr-FR,de"), None);
        assert_eq!(Lang::negotiate("ja,en-US;q=0.8"), Some(Lang::Ja));
    }

    #[test]
    fn lookups_fill_variables_and_fall_back() {
        assert_eq!(t(Lang::Ja, "home.apply"), "申請を始める");
        assert_eq!(t(Lang::En, "home.apply"), "Start an application");
        assert_eq!(
            tf(Lang::En, "console.signed_in_as", &[("name", "rev<1>")]),
            "Signed in as rev<1>"
        );
        // Vietnamese has no console: English stands in.
        assert_eq!(t(Lang::Vi, "console.signin"), t(Lang::En, "console.signin"));
        assert_eq!(t(Lang::En, "no.such_key"), "?");
        for l in Lang::ALL {
            assert_ne!(t(l, "lang.name"), "?", "{l}");
        }
    }
}
