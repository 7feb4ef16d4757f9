//! API errors: field errors as `field.Error` renders them, status errors as the apiserver
//! returns them, and the lines kubectl prints for them (`checkErr` in kubectl's helpers).

use super::version;

/// A bad value inside a field error, rendered per the imitated release.
#[derive(Clone, Debug, PartialEq)]
pub enum Bad {
    Int(i64),
    Str(String),
    /// A composite value: its Go-syntax (`%#v`) and JSON renderings.
    Composite {
        go: String,
        json: String,
    },
}

impl Bad {
    pub fn render(&self) -> String {
        match self {
            Bad::Int(i) => i.to_string(),
            Bad::Str(s) => go_quote(s),
            Bad::Composite { go, json } => {
                if version::composite_values_as_json() {
                    json.clone()
                } else {
                    go.clone()
                }
            }
        }
    }

    /// A `map[string]string` value.
    pub fn string_map(m: &super::map::Map<String, String>) -> Bad {
        let go_items: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
            .collect();
        let json_items: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
            .collect();
        Bad::Composite {
            go: if m.is_empty() {
                "map[string]string(nil)".into()
            } else {
                format!("map[string]string{{{}}}", go_items.join(", "))
            },
            json: if m.is_empty() {
                "null".into()
            } else {
                format!("{{{}}}", json_items.join(","))
            },
        }
    }

    /// A `[]string` value.
    pub fn string_list(items: &[String]) -> Bad {
        let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
        Bad::Composite {
            go: format!("[]string{{{}}}", quoted.join(", ")),
            json: format!("[{}]", quoted.join(",")),
        }
    }
}

/// Go's `strconv.Quote` for the characters manifests hold.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    super::value::quote_into(&mut out, s, false);
    out
}

#[derive(Clone, Debug, PartialEq)]
pub enum FieldError {
    Required(String, String),
    Invalid(String, Bad, String),
    Forbidden(String, String),
    Duplicate(String, Bad),
    NotSupported(String, Bad, Vec<&'static str>),
}

impl FieldError {
    pub fn path(&self) -> &str {
        match self {
            FieldError::Required(p, _)
            | FieldError::Invalid(p, _, _)
            | FieldError::Forbidden(p, _)
            | FieldError::Duplicate(p, _)
            | FieldError::NotSupported(p, _, _) => p,
        }
    }

    /// `ErrorBody()`: the text after `<path>: `.
    pub fn body(&self) -> String {
        match self {
            FieldError::Required(_, d) if d.is_empty() => "Required value".into(),
            FieldError::Required(_, d) => format!("Required value: {d}"),
            FieldError::Invalid(_, v, d) if d.is_empty() => format!("Invalid value: {}", v.render()),
            FieldError::Invalid(_, v, d) => format!("Invalid value: {}: {d}", v.render()),
            FieldError::Forbidden(_, d) => format!("Forbidden: {d}"),
            FieldError::Duplicate(_, v) => format!("Duplicate value: {}", v.render()),
            FieldError::NotSupported(_, v, supported) => {
                let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
                format!(
                    "Unsupported value: {}: supported values: {}",
                    v.render(),
                    list.join(", ")
                )
            }
        }
    }

    pub fn message(&self) -> String {
        format!("{}: {}", self.path(), self.body())
    }
}

pub fn required(path: impl Into<String>, detail: &str) -> FieldError {
    FieldError::Required(path.into(), detail.into())
}
pub fn invalid(path: impl Into<String>, bad: Bad, detail: &str) -> FieldError {
    FieldError::Invalid(path.into(), bad, detail.into())
}
pub fn forbidden(path: impl Into<String>, detail: &str) -> FieldError {
    FieldError::Forbidden(path.into(), detail.into())
}

/// An error the API server returns.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// 422: validation or allocation failed. `kind` is the bare kind, `kind_group` the kind as
    /// the message names it (`Deployment.apps`).
    Invalid {
        kind: String,
        kind_group: String,
        name: String,
        causes: Vec<FieldError>,
    },
    NotFound {
        resource: String,
        name: String,
    },
    AlreadyExists {
        resource: String,
        name: String,
    },
    /// 400: the body could not be decoded.
    BadRequest(String),
    /// Any other reason, with its message.
    Other {
        reason: String,
        message: String,
    },
}

impl ApiError {
    pub fn reason(&self) -> &str {
        match self {
            ApiError::Invalid { .. } => "Invalid",
            ApiError::NotFound { .. } => "NotFound",
            ApiError::AlreadyExists { .. } => "AlreadyExists",
            ApiError::BadRequest(_) => "BadRequest",
            ApiError::Other { reason, .. } => reason,
        }
    }

    /// The status message (`StatusError.Error()`).
    pub fn message(&self) -> String {
        match self {
            ApiError::Invalid {
                kind_group,
                name,
                causes,
                ..
            } => {
                let mut msgs: Vec<String> = Vec::new();
                for c in causes {
                    let m = c.message();
                    if !msgs.contains(&m) {
                        msgs.push(m);
                    }
                }
                let agg = if msgs.len() == 1 {
                    msgs.remove(0)
                } else {
                    format!("[{}]", msgs.join(", "))
                };
                format!("{kind_group} \"{name}\" is invalid: {agg}")
            }
            ApiError::NotFound { resource, name } => format!("{resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => format!("{resource} \"{name}\" already exists"),
            ApiError::BadRequest(m) => m.clone(),
            ApiError::Other { message, .. } => message.clone(),
        }
    }
}

/// One failure of a kubectl command, before kubectl decides how to print it.
#[derive(Clone, Debug, PartialEq)]
pub enum CmdError {
    /// An API error, with the context kubectl adds (`error when creating "f.yaml": `).
    Api { err: ApiError, context: Option<String> },
    /// A client-side error, printed with `error: ` when it is the only one.
    Client(String),
}

impl CmdError {
    /// The line used inside an aggregate (`StandardErrorMessage` or the plain message).
    fn standard(&self) -> String {
        match self {
            CmdError::Api { err, context } => format!(
                "Error from server ({}): {}{}",
                err.reason(),
                context.as_deref().unwrap_or(""),
                err.message()
            ),
            CmdError::Client(m) => m.clone(),
        }
    }
}

/// What kubectl prints on stderr for the errors of one command (`checkErr`).
pub fn render_errors(errors: &[CmdError]) -> String {
    match errors {
        [] => String::new(),
        [CmdError::Api {
            err: ApiError::Invalid { kind, name, causes, .. },
            ..
        }] => {
            let mut msgs: Vec<String> = Vec::new();
            for c in causes {
                let m = c.message();
                if !msgs.contains(&m) {
                    msgs.push(m);
                }
            }
            if msgs.len() == 1 {
                format!("The {kind} \"{name}\" is invalid: {}\n", msgs[0])
            } else {
                let mut out = format!("The {kind} \"{name}\" is invalid: \n");
                for m in msgs {
                    out.push_str(&format!("* {m}\n"));
                }
                out
            }
        }
        [CmdError::Client(m)] => format!("error: {m}\n"),
        [one] => format!("{}\n", one.standard()),
        many => many.iter().map(|e| format!("{}\n", e.standard())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multiple_causes_render_like_kubectl() {
        let one = CmdError::Api {
            err: ApiError::Invalid {
                kind: "Service".into(),
                kind_group: "Service".into(),
                name: "web".into(),
                causes: vec![invalid(
                    "spec.ports[0].nodePort",
                    Bad::Int(80),
                    "provided port is not in the valid range. The range of valid ports is 30000-32767",
                )],
            },
            context: Some("error when creating \"svc.yaml\": ".into()),
        };
        assert_eq!(
            render_errors(std::slice::from_ref(&one)),
            "The Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the \
                valid range. The range of valid ports is 30000-32767\n"
        );
        let two = CmdError::Api {
            err: ApiError::Invalid {
                kind: "Deployment".into(),
                kind_group: "Deployment.apps".into(),
                name: "d".into(),
                causes: vec![
                    required("spec.selector", ""),
                    required("spec.template.spec.containers", ""),
                ],
            },
            context: Some("error when creating \"d.yaml\": ".into()),
        };
        assert_eq!(
            render_errors(std::slice::from_ref(&two)),
            "The Deployment \"d\" is invalid: \n* spec.selector: Required value\n* spec.template.spec.containers: \
                Required value\n"
        );
        assert_eq!(
            render_errors(&[one, two]).lines().nth(1).unwrap(),
            "Error from server (Invalid): error when creating \"d.yaml\": Deployment.apps \"d\" is invalid: \
                [spec.selector: Required value, spec.template.spec.containers: Required value]"
        );
    }

    #[test]
    fn bad_values_use_go_syntax_in_this_release() {
        let mut m = crate::sim::map::Map::new();
        m.insert("app".to_string(), "web".to_string());
        assert_eq!(Bad::string_map(&m).render(), "map[string]string{\"app\":\"web\"}");
        assert_eq!(
            Bad::string_list(&["10.0.0.5".into()]).render(),
            "[]string{\"10.0.0.5\"}"
        );
    }
}
