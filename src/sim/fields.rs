//! `kubectl get --field-selector`: the fields each kind's storage can select on (its
//! `ToSelectableFields`), read off the object, and the API server's answers to a selector it
//! cannot read or a field it does not offer.

use super::cluster::ListedEvent;
use super::kinds::KindInfo;
use super::value::Value;

/// Events are listed apart from the kinds the lab stores (`Cluster::event_list`).
pub const EVENTS: KindInfo = KindInfo {
    kind: "Event",
    group: "",
    versions: &["v1"],
    plural: "events",
    singular: "event",
    short: &["ev"],
    namespaced: true,
    simulated: false,
};

/// One term: the field, `=`/`==` (true) or `!=` (false), the value.
pub type Term = (String, bool, String);

/// Parses `a=b,c!=d,e==f` as `fields.ParseSelector` does; the term it cannot read on error.
pub fn parse(s: &str) -> Result<Vec<Term>, String> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let (f, eq, v) = if let Some((f, v)) = t.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = t.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = t.split_once('=') {
                (f, true, v)
            } else {
                return Err(t.to_string());
            };
            Ok((f.trim().to_string(), eq, v.trim().to_string()))
        })
        .collect()
}

/// The fields a kind's list can be selected by, besides `metadata.name` (and
/// `metadata.namespace` for a namespaced kind).
fn own_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        "ReplicaSet" => &["status.replicas"],
        "Node" => &["spec.unschedulable"],
        "Namespace" => &["status.phase"],
        "Secret" => &["type"],
        _ => &[],
    }
}

/// The API server's refusal, as kubectl words it: a selector it cannot read, or a field the
/// kind does not offer. `None` when every term is one it can select by.
pub fn refusal(info: &KindInfo, labels: Option<&str>, text: &str, terms: &Result<Vec<Term>, String>) -> Option<String> {
    let why = match terms {
        Err(bad) => format!("invalid selector: '{text}'; can't understand '{bad}'"),
        Ok(terms) => {
            let (f, _, _) = terms.iter().find(|(f, _, _)| {
                !(f == "metadata.name"
                    || (f == "metadata.namespace" && info.namespaced)
                    || own_fields(info.kind).contains(&f.as_str()))
            })?;
            format!("field label not supported: {f}")
        }
    };
    Some(format!(
        "Error from server (BadRequest): Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", \
         field selector \"{text}\": {why}\n",
        info.group,
        info.versions[0],
        info.plural,
        labels.unwrap_or("")
    ))
}

/// A field's value as the storage sets it: absent strings are empty, absent booleans false.
fn value_of(kind: &str, obj: &Value, field: &str) -> String {
    let mut v = Some(obj);
    for part in field.split('.') {
        v = v.and_then(|x| x.get(part));
    }
    match v {
        Some(Value::Str(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Int(i)) => i.to_string(),
        _ if matches!(
            (kind, field),
            ("Pod", "spec.hostNetwork") | ("Node", "spec.unschedulable")
        ) =>
        {
            "false".into()
        }
        _ => String::new(),
    }
}

/// Whether an object's fields meet every term.
pub fn matches(kind: &str, obj: &Value, terms: &[Term]) -> bool {
    terms
        .iter()
        .all(|(f, eq, want)| (value_of(kind, obj, f) == *want) == *eq)
}

/// Whether a listed event's fields meet every term.
pub fn event_matches(e: &ListedEvent, terms: &[Term]) -> bool {
    terms.iter().all(|(f, eq, want)| {
        let have = match f.as_str() {
            "involvedObject.kind" => e.kind,
            "involvedObject.namespace" | "metadata.namespace" => e.namespace.as_str(),
            "involvedObject.name" => e.name.as_str(),
            "reason" => e.event.reason.as_str(),
            "source" | "reportingComponent" => e.event.from.as_str(),
            "type" => e.event.type_,
            _ => "",
        };
        (have == want) == *eq
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_parse_as_the_api_server_reads_them() {
        assert_eq!(
            parse("status.phase=Running,spec.nodeName!=a,metadata.name==b"),
            Ok(vec![
                ("status.phase".into(), true, "Running".into()),
                ("spec.nodeName".into(), false, "a".into()),
                ("metadata.name".into(), true, "b".into()),
            ])
        );
        assert_eq!(parse("phase"), Err("phase".into()));
    }
}
