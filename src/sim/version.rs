//! The Kubernetes release the lab imitates, and every output detail that depends on it.
//! Imitating another release means changing `RELEASE` and the answers below, nowhere else.

/// v1.32, the release the seed post's cluster runs.
pub const RELEASE: (u32, u32) = (1, 32);

pub const SERVER_VERSION: &str = "v1.32.0";

/// Composite bad values in API errors: Go syntax up to v1.33, JSON from v1.34.
pub fn composite_values_as_json() -> bool {
    RELEASE >= (1, 34)
}

/// `service "web" deleted` up to v1.33, `... deleted from default namespace` from v1.34.
pub fn delete_suffix(namespace: &str) -> String {
    if RELEASE >= (1, 34) {
        format!(" from {namespace} namespace")
    } else {
        String::new()
    }
}

/// The deprecation warning `kubectl get endpoints` prints from v1.33 on.
pub fn endpoints_warning() -> Option<&'static str> {
    (RELEASE >= (1, 33))
        .then_some("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
}
