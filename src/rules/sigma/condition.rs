//! The Sigma condition language: parsing a condition string and resolving it
//! against a rule's selections.
//!
//! Grammar, with precedence `not` > `and` > `or` and keywords in any case:
//!
//! ```text
//! expr   := and ('or' and)*
//! and    := unary ('and' unary)*
//! unary  := 'not' unary | '(' expr ')' | quant 'of' target | NAME
//! quant  := '1' | 'any' | 'all'
//! target := 'them' | NAME-PATTERN      (`*` matches any run of characters)
//! ```
//!
//! `them` means every selection whose name does not start with `_`. After
//! [`expand`], a tree holds only selection names, so turning it into a
//! compiled condition (or into the event pairs it requires) is a plain walk.
//! Aggregations (`| count() ...`), `near` and `N of` with N > 1 are reported
//! as unsupported; anything else that does not parse is an error.

use crate::rules::condition::Condition;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A selection name.
    Sel(String),
    /// `1 of x*` (`all: false`) or `all of x*`; `them` is the pattern `them`.
    Of {
        all: bool,
        pattern: String,
    },
}

/// Why a condition cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Valid Sigma that ctfilter does not support.
    Unsupported(String),
    /// Not a valid condition.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, Error> {
    if text.contains('|') {
        return Err(Error::Unsupported(
            "aggregation conditions ('| count() ...') are not supported".into(),
        ));
    }
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c == '(' || c == ')' || c.is_whitespace() {
            if !word.is_empty() {
                tokens.push(Token::Word(std::mem::take(&mut word)));
            }
            match c {
                '(' => tokens.push(Token::Open),
                ')' => tokens.push(Token::Close),
                _ => {}
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(Token::Word(word));
    }
    if tokens.iter().any(|t| keyword(Some(t), "near")) {
        return Err(Error::Unsupported(
            "the 'near' condition is not supported".into(),
        ));
    }
    Ok(tokens)
}

fn keyword(token: Option<&Token>, name: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w.eq_ignore_ascii_case(name))
}

const RESERVED: [&str; 8] = ["and", "or", "not", "of", "them", "all", "any", "near"];

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.and()?];
        while keyword(self.peek(), "or") {
            self.at += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, Error> {
        let mut items = vec![self.unary()?];
        while keyword(self.peek(), "and") {
            self.at += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        match self.next() {
            None => Err(Error::Invalid("the condition ends too early".into())),
            Some(Token::Open) => {
                let inner = self.expr()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err(Error::Invalid("a '(' is not closed".into())),
                }
            }
            Some(Token::Close) => Err(Error::Invalid("unexpected ')'".into())),
            Some(Token::Word(word)) => {
                let lower = word.to_ascii_lowercase();
                if lower == "not" {
                    return Ok(Expr::Not(Box::new(self.unary()?)));
                }
                if keyword(self.peek(), "of") {
                    self.at += 1;
                    let all = match lower.as_str() {
                        "all" => true,
                        "1" | "any" => false,
                        n if n.parse::<u32>().is_ok() => {
                            return Err(Error::Unsupported(format!(
                                "'{n} of' (at least {n} selections) is not supported"
                            )))
                        }
                        _ => {
                            return Err(Error::Invalid(format!(
                                "'{word} of': expected '1 of', 'any of' or 'all of'"
                            )))
                        }
                    };
                    return match self.next() {
                        Some(Token::Word(target))
                            if !RESERVED
                                .iter()
                                .any(|r| *r != "them" && target.eq_ignore_ascii_case(r)) =>
                        {
                            let pattern = if target.eq_ignore_ascii_case("them") {
                                "them".to_string()
                            } else {
                                target
                            };
                            Ok(Expr::Of { all, pattern })
                        }
                        _ => Err(Error::Invalid(format!(
                            "'{word} of' must be followed by 'them' or a selection name pattern"
                        ))),
                    };
                }
                if RESERVED.contains(&lower.as_str()) {
                    return Err(Error::Invalid(format!("unexpected '{word}'")));
                }
                if word.contains('*') {
                    return Err(Error::Invalid(format!(
                        "'{word}': wildcard names only go after '1 of' or 'all of'"
                    )));
                }
                Ok(Expr::Sel(word))
            }
        }
    }
}

/// Parse one condition string.
pub fn parse(text: &str) -> Result<Expr, Error> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    if parser.tokens.is_empty() {
        return Err(Error::Invalid("the condition is empty".into()));
    }
    let expr = parser.expr()?;
    match parser.peek() {
        None => Ok(expr),
        Some(Token::Close) => Err(Error::Invalid("unexpected ')'".into())),
        Some(Token::Open) => Err(Error::Invalid("unexpected '(' (missing and/or?)".into())),
        Some(Token::Word(w)) => Err(Error::Invalid(format!(
            "unexpected '{w}' (missing and/or?)"
        ))),
    }
}

/// `*` matches any run of characters; everything else is literal.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == '*' {
            back = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((bp, bn)) = back {
            pi = bp + 1;
            ni = bn + 1;
            back = Some((bp, bn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Replace every `x of pattern` by the selections it names, and check that
/// every name is defined. `names` are the selections in file order.
pub fn expand(expr: &Expr, names: &[&str]) -> Result<Expr, Error> {
    Ok(match expr {
        Expr::And(items) => Expr::And(
            items
                .iter()
                .map(|e| expand(e, names))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(items) => Expr::Or(
            items
                .iter()
                .map(|e| expand(e, names))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(inner) => Expr::Not(Box::new(expand(inner, names)?)),
        Expr::Sel(name) => {
            if !names.contains(&name.as_str()) {
                return Err(Error::Invalid(format!(
                    "the condition names '{name}', which the detection does not define"
                )));
            }
            Expr::Sel(name.clone())
        }
        Expr::Of { all, pattern } => {
            let picked: Vec<Expr> = names
                .iter()
                .filter(|n| {
                    if pattern == "them" {
                        !n.starts_with('_')
                    } else {
                        glob_match(pattern, n)
                    }
                })
                .map(|n| Expr::Sel(n.to_string()))
                .collect();
            if picked.is_empty() {
                return Err(Error::Invalid(format!(
                    "'{} of {pattern}' matches no selection",
                    if *all { "all" } else { "1" }
                )));
            }
            match (picked.len(), all) {
                (1, _) => picked.into_iter().next().unwrap_or(Expr::And(Vec::new())),
                (_, true) => Expr::And(picked),
                (_, false) => Expr::Or(picked),
            }
        }
    })
}

/// The compiled condition of an expanded expression; nested `and`s and `or`s
/// are flattened.
pub fn to_condition(expr: &Expr, selections: &HashMap<&str, Condition>) -> Condition {
    match expr {
        Expr::And(items) => flatten(items, selections, true),
        Expr::Or(items) => flatten(items, selections, false),
        Expr::Not(inner) => Condition::Not(Box::new(to_condition(inner, selections))),
        Expr::Sel(name) => selections
            .get(name.as_str())
            .cloned()
            .unwrap_or(Condition::Const(false)),
        Expr::Of { .. } => Condition::Const(false),
    }
}

fn flatten(items: &[Expr], selections: &HashMap<&str, Condition>, and: bool) -> Condition {
    let mut out = Vec::new();
    for item in items {
        match (to_condition(item, selections), and) {
            (Condition::All(inner), true) | (Condition::Any(inner), false) => out.extend(inner),
            (other, _) => out.push(other),
        }
    }
    match (out.len(), and) {
        (1, _) => out.remove(0),
        (_, true) => Condition::All(out),
        (_, false) => Condition::Any(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(n: &str) -> Expr {
        Expr::Sel(n.into())
    }

    #[test]
    fn precedence_is_not_and_or() {
        assert_eq!(
            parse("a or b and not c").unwrap(),
            Expr::Or(vec![
                sel("a"),
                Expr::And(vec![sel("b"), Expr::Not(Box::new(sel("c")))])
            ])
        );
        assert_eq!(
            parse("not a and b").unwrap(),
            Expr::And(vec![Expr::Not(Box::new(sel("a"))), sel("b")])
        );
        assert_eq!(
            parse("a and b or c and d").unwrap(),
            Expr::Or(vec![
                Expr::And(vec![sel("a"), sel("b")]),
                Expr::And(vec![sel("c"), sel("d")])
            ])
        );
    }

    #[test]
    fn parentheses_group() {
        assert_eq!(
            parse("(a or b) and c").unwrap(),
            Expr::And(vec![Expr::Or(vec![sel("a"), sel("b")]), sel("c")])
        );
        assert_eq!(
            parse("not (a or b)").unwrap(),
            Expr::Not(Box::new(Expr::Or(vec![sel("a"), sel("b")])))
        );
        assert_eq!(parse("((a))").unwrap(), sel("a"));
        assert_eq!(
            parse("a AND (b OR NOT c)").unwrap(),
            Expr::And(vec![
                sel("a"),
                Expr::Or(vec![sel("b"), Expr::Not(Box::new(sel("c")))])
            ])
        );
    }

    #[test]
    fn quantifiers() {
        assert_eq!(
            parse("1 of sel*").unwrap(),
            Expr::Of {
                all: false,
                pattern: "sel*".into()
            }
        );
        assert_eq!(
            parse("any of sel*").unwrap(),
            Expr::Of {
                all: false,
                pattern: "sel*".into()
            }
        );
        assert_eq!(
            parse("all of them").unwrap(),
            Expr::Of {
                all: true,
                pattern: "them".into()
            }
        );
        assert_eq!(
            parse("sel and not 1 of filter_*").unwrap(),
            Expr::And(vec![
                sel("sel"),
                Expr::Not(Box::new(Expr::Of {
                    all: false,
                    pattern: "filter_*".into()
                }))
            ])
        );
    }

    #[test]
    fn expansion() {
        let names = ["selection_a", "selection_b", "filter", "_hidden"];
        let of = |text: &str| expand(&parse(text).unwrap(), &names);
        assert_eq!(
            of("1 of selection_*").unwrap(),
            Expr::Or(vec![sel("selection_a"), sel("selection_b")])
        );
        assert_eq!(
            of("all of them").unwrap(),
            Expr::And(vec![sel("selection_a"), sel("selection_b"), sel("filter")])
        );
        assert_eq!(of("1 of filter").unwrap(), sel("filter"));
        assert_eq!(of("all of *_b").unwrap(), sel("selection_b"));
        assert_eq!(
            of("1 of *").unwrap(),
            Expr::Or(vec![
                sel("selection_a"),
                sel("selection_b"),
                sel("filter"),
                sel("_hidden")
            ])
        );
        assert!(matches!(of("1 of nothing*"), Err(Error::Invalid(m)) if m.contains("matches no")));
        assert!(matches!(of("selection"), Err(Error::Invalid(m)) if m.contains("does not define")));
    }

    #[test]
    fn globs() {
        assert!(glob_match("sel*", "selection"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYc"));
        assert!(!glob_match("a*b*c", "aXXbY"));
        assert!(glob_match("sel", "sel"));
        assert!(!glob_match("sel", "sel2"));
    }

    #[test]
    fn unsupported_and_invalid() {
        let unsupported = |t: &str| matches!(parse(t), Err(Error::Unsupported(_)));
        assert!(unsupported("selection | count() by userName > 5"));
        assert!(unsupported("a near b"));
        assert!(unsupported("2 of sel*"));
        let invalid = |t: &str| matches!(parse(t), Err(Error::Invalid(_)));
        assert!(invalid(""));
        assert!(invalid("a and"));
        assert!(invalid("(a or b"));
        assert!(invalid("a or b)"));
        assert!(invalid("a b"));
        assert!(invalid("sel*"));
        assert!(invalid("1 of"));
        assert!(invalid("1 of and"));
        assert!(invalid("some of x"));
        assert!(invalid("and a"));
    }

    #[test]
    fn conditions_flatten() {
        use crate::rules::condition::Condition as C;
        let mut sels = HashMap::new();
        sels.insert("a", C::Const(true));
        sels.insert("b", C::Const(false));
        sels.insert("c", C::Const(true));
        let expr = expand(&parse("a and (b and c)").unwrap(), &["a", "b", "c"]).unwrap();
        match to_condition(&expr, &sels) {
            C::All(items) => assert_eq!(items.len(), 3),
            other => panic!("{other:?}"),
        }
    }
}
