//! Tokens of one instruction, init item or condition.

use super::parse::{ParseError, error};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A mnemonic, register, location or type name (`MOV`, `EAX`, `x`).
    Word(String),
    /// `%rax`.
    Percent(String),
    /// A number, `$`-prefixed or not, decimal or `0x` hex, maybe negative.
    Number(i128),
    /// `[ ] ( ) , : = ~ /\ \/`.
    Punct(&'static str),
}

/// Split `text` (on line `line`) into tokens.
pub fn tokens(text: &str, line: usize) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if two == "/\\" || two == "\\/" {
            out.push(Token::Punct(if two == "/\\" { "/\\" } else { "\\/" }));
            i += 2;
            continue;
        }
        let punct = ["[", "]", "(", ")", ",", ":", "=", "~"]
            .into_iter()
            .find(|p| p.starts_with(c));
        if let Some(p) = punct {
            out.push(Token::Punct(p));
            i += 1;
            continue;
        }
        if c == '%' {
            let start = i + 1;
            i = start;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            if i == start {
                return error(line, "'%' with no register after it");
            }
            out.push(Token::Percent(chars[start..i].iter().collect()));
            continue;
        }
        if c == '$' || c == '-' || c.is_ascii_digit() {
            let mut j = i + usize::from(c == '$');
            let negative = chars.get(j) == Some(&'-');
            if negative {
                j += 1;
            }
            let start = j;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric()) {
                j += 1;
            }
            let digits: String = chars[start..j].iter().collect();
            let value = if let Some(hex) = digits
                .strip_prefix("0x")
                .or_else(|| digits.strip_prefix("0X"))
            {
                i128::from_str_radix(hex, 16)
            } else {
                digits.parse::<i128>()
            };
            match value {
                Ok(v) if v <= u64::MAX as i128 => {
                    out.push(Token::Number(if negative { -v } else { v }));
                    i = j;
                    continue;
                }
                _ => {
                    let shown: String = chars[i..j].iter().collect();
                    return error(line, format!("'{shown}' is not a number"));
                }
            }
        }
        if word_char(c) {
            let start = i;
            while i < chars.len() && word_char(chars[i]) {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
            continue;
        }
        return error(line, format!("unexpected '{c}'"));
    }
    Ok(out)
}

/// A number as a value of `bits` bits (negative ones in two's complement).
pub fn as_value(n: i128, mask: u64) -> u64 {
    (n as u64) & mask
}

/// Tokens as the file spelt them, for messages.
pub fn render(t: &[Token]) -> String {
    t.iter()
        .map(|t| match t {
            Token::Word(w) => w.clone(),
            Token::Percent(r) => format!("%{r}"),
            Token::Number(n) => n.to_string(),
            Token::Punct(p) => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Token::*;

    #[test]
    fn both_syntaxes_tokenise() {
        assert_eq!(
            tokens("MOV [x],$1", 1).unwrap(),
            [
                Word("MOV".into()),
                Punct("["),
                Word("x".into()),
                Punct("]"),
                Punct(","),
                Number(1)
            ]
        );
        assert_eq!(
            tokens("movl $-2,4(%rsi)", 1).unwrap(),
            [
                Word("movl".into()),
                Number(-2),
                Punct(","),
                Number(4),
                Punct("("),
                Percent("rsi".into()),
                Punct(")")
            ]
        );
        assert_eq!(
            tokens("0:EAX=0x10 /\\ ~x=1", 1).unwrap(),
            [
                Number(0),
                Punct(":"),
                Word("EAX".into()),
                Punct("="),
                Number(16),
                Punct("/\\"),
                Punct("~"),
                Word("x".into()),
                Punct("="),
                Number(1)
            ]
        );
        assert_eq!(as_value(-1, u32::MAX as u64), 0xffff_ffff);
    }

    #[test]
    fn bad_tokens_name_themselves() {
        assert!(tokens("MOV EAX,#1", 3).unwrap_err().message.contains("'#'"));
        assert!(
            tokens("$0xzz", 3)
                .unwrap_err()
                .message
                .contains("not a number")
        );
        assert!(tokens("% ", 3).unwrap_err().message.contains("no register"));
    }
}
