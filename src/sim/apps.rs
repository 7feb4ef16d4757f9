//! The servers inside containers and on the simulated internet: what they answer to an HTTP
//! request. Pages are the servers' own default pages.

use super::clock::http_date;
use super::images::App;

#[derive(Clone, Debug, PartialEq)]
pub struct HttpResponse {
    /// `HTTP/1.1`, or `HTTP/1.0`.
    pub version: &'static str,
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    fn new(status: u16, reason: &'static str, headers: Vec<(&str, String)>, body: String) -> HttpResponse {
        HttpResponse {
            version: "HTTP/1.1",
            status,
            reason,
            headers: headers.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            body,
        }
    }
}

pub const NGINX_VERSION: &str = "1.29.4";

pub const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

fn nginx_404(version: &str) -> String {
    format!(
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not \
        Found</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// The nginx release an image tag runs (`1.27-alpine` is the last 1.27 release), with its
/// welcome page (releases up to 1.20 have the older style block, 612 bytes) and, where known,
/// the page's modification time (`Last-Modified`, and the ETag's first half).
fn nginx_release(tag: &str) -> (String, String, (&'static str, &'static str)) {
    const LAST: &[(&str, &str)] = &[
        ("1.27", "1.27.5"),
        ("1.26", "1.26.3"),
        ("1.25", "1.25.5"),
        ("1.24", "1.24.0"),
        ("1.23", "1.23.4"),
        ("1.22", "1.22.1"),
        ("1.21", "1.21.6"),
        ("1.20", "1.20.2"),
        ("1.19", "1.19.10"),
        ("1.14", "1.14.2"),
    ];
    let head = tag.split('-').next().unwrap_or("");
    let numeric = !head.is_empty()
        && head
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let version = match LAST.iter().find(|(t, _)| *t == head) {
        Some((_, v)) => v.to_string(),
        None if numeric && head.matches('.').count() == 2 => head.to_string(),
        None => NGINX_VERSION.to_string(),
    };
    let minor: u32 = version.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(99);
    let page = if minor <= 20 {
        NGINX_WELCOME.replace(
            "html { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }",
            "    body {\n        width: 35em;\n        margin: 0 auto;\n        font-family: Tahoma, Verdana, Arial, sans-serif;\n    }",
        )
    } else {
        NGINX_WELCOME.to_string()
    };
    let modified = if version == "1.14.2" {
        ("Tue, 04 Dec 2018 14:44:49 GMT", "5c0692e1")
    } else {
        ("Tue, 09 Dec 2025 18:28:10 GMT", "69386a3a")
    };
    (version, page, modified)
}

/// What a request gets.
pub enum Answer {
    Http(HttpResponse),
    /// A non-HTTP server answered with bytes curl cannot read as HTTP.
    NotHttp,
    /// The server closed the connection without a byte (curl: Empty reply from server).
    Closed,
}

/// What a server knows of a request beyond its method and path.
#[derive(Default)]
pub struct Peer<'a> {
    /// The client's address and port as the pod saw them.
    pub client: String,
    pub host_header: &'a str,
    pub user_agent: &'a str,
    /// http-echo's `-text`.
    pub text: &'a str,
    /// The pod's address, and a seed for its interface's MAC address (whoami lists both).
    pub pod_ip: &'a str,
    pub mac_seed: u64,
    /// The image's tag (nginx answers as the release it names).
    pub tag: &'a str,
}

fn plain(status: u16, reason: &'static str, date: String, body: String) -> HttpResponse {
    HttpResponse::new(
        status,
        reason,
        vec![
            ("Date", date),
            ("Content-Length", body.len().to_string()),
            ("Content-Type", "text/plain; charset=utf-8".into()),
        ],
        body,
    )
}

/// The answer of an app in a pod (`hostname` is the pod's name).
pub fn serve(app: App, method: &str, path: &str, hostname: &str, unix_now: i64) -> Answer {
    serve_peer(app, method, path, hostname, unix_now, &Peer::default())
}

pub fn serve_peer(app: App, method: &str, path: &str, hostname: &str, unix_now: i64, peer: &Peer) -> Answer {
    let date = http_date(unix_now);
    let head = method == "HEAD";
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let mut r = match app {
        App::ServeHostname => plain(200, "OK", date, hostname.to_string()),
        App::Netexec => match route {
            "/hostname" => plain(200, "OK", date, hostname.to_string()),
            "/clientip" => plain(200, "OK", date, peer.client.clone()),
            "/echo" => {
                let msg = query.split('&').find_map(|kv| kv.strip_prefix("msg=")).unwrap_or("");
                plain(200, "OK", date, msg.to_string())
            }
            _ => plain(404, "Not Found", date, "404 page not found\n".into()),
        },
        App::HttpEcho => plain(200, "OK", date, format!("{}\n", peer.text)),
        App::Whoami => {
            // eth0's link-local address comes from its random MAC (EUI-64).
            let m = peer.mac_seed.to_be_bytes();
            let groups = [
                u16::from_be_bytes([(m[0] | 0x02) ^ 0x02, m[1]]),
                u16::from_be_bytes([m[2], 0xff]),
                u16::from_be_bytes([0xfe, m[3]]),
                u16::from_be_bytes([m[4], m[5]]),
            ];
            let link_local = format!("fe80::{:x}:{:x}:{:x}:{:x}", groups[0], groups[1], groups[2], groups[3]);
            let mut body = format!(
                "Hostname: {hostname}\nIP: 127.0.0.1\nIP: ::1\nIP: {}\nIP: {link_local}\nRemoteAddr: {}\n{method} {path} \
                 HTTP/1.1\r\nHost: {}\r\nUser-Agent: {}\r\n",
                peer.pod_ip, peer.client, peer.host_header, peer.user_agent
            );
            if peer.user_agent.starts_with("curl") {
                body.push_str("Accept: */*\r\n");
            }
            body.push_str("\r\n");
            plain(200, "OK", date, body)
        }
        App::EchoServer if peer.tag.starts_with("1.4") => {
            // The 1.4 image (older tutorials use it) prints its own, older layout.
            let client = peer.client.rsplit_once(':').map_or(peer.client.as_str(), |(ip, _)| ip);
            let q = if query.is_empty() { "nil" } else { query };
            let body = format!(
                "CLIENT VALUES:\nclient_address={client}\ncommand={}\nreal path={route}\nquery={q}\n\
                 request_version=1.1\nrequest_uri=http://{}:8080{path}\n\nSERVER VALUES:\n\
                 server_version=nginx: 1.10.0 - lua: 10001\n\nHEADERS RECEIVED:\naccept=*/*\nhost={}\n\
                 user-agent={}\nBODY:\n-no body in request-",
                method.to_ascii_uppercase(),
                peer.host_header.split(':').next().unwrap_or(""),
                peer.host_header,
                peer.user_agent
            );
            HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Server", "nginx/1.10.0".into()),
                    ("Date", date),
                    ("Content-Type", "text/plain".into()),
                    ("Transfer-Encoding", "chunked".into()),
                    ("Connection", "keep-alive".into()),
                ],
                body,
            )
        }
        App::EchoServer => {
            let host = peer.host_header.split(':').next().unwrap_or("");
            let client = peer.client.rsplit_once(':').map_or(peer.client.as_str(), |(ip, _)| ip);
            let body = format!(
                "\n\nHostname: {hostname}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\t\
                 server_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address={client}\n\t\
                 method={method}\n\treal path={route}\n\tquery={query}\n\trequest_version=1.1\n\t\
                 request_scheme=http\n\trequest_uri=http://{host}:8080{path}\n\nRequest Headers:\n\taccept=*/*\n\t\
                 host={}\n\tuser-agent={}\n\nRequest Body:\n\t-no body in request-\n\n",
                peer.host_header, peer.user_agent
            );
            HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Server", "nginx/1.13.3".into()),
                    ("Date", date),
                    ("Content-Type", "text/plain".into()),
                    ("Transfer-Encoding", "chunked".into()),
                    ("Connection", "keep-alive".into()),
                ],
                body,
            )
        }
        App::Nginx => {
            let (version, page, (modified, mtime)) = nginx_release(peer.tag);
            if route == "/" || route == "/index.html" {
                HttpResponse::new(
                    200,
                    "OK",
                    vec![
                        ("Server", format!("nginx/{version}")),
                        ("Date", date),
                        ("Content-Type", "text/html".into()),
                        ("Content-Length", page.len().to_string()),
                        ("Last-Modified", modified.into()),
                        ("Connection", "keep-alive".into()),
                        ("ETag", format!("\"{mtime}-{:x}\"", page.len())),
                        ("Accept-Ranges", "bytes".into()),
                    ],
                    page,
                )
            } else {
                let body = nginx_404(&version);
                HttpResponse::new(
                    404,
                    "Not Found",
                    vec![
                        ("Server", format!("nginx/{version}")),
                        ("Date", date),
                        ("Content-Type", "text/html".into()),
                        ("Content-Length", body.len().to_string()),
                        ("Connection", "keep-alive".into()),
                    ],
                    body,
                )
            }
        }
        App::Httpd => {
            let body = "<html><body><h1>It works!</h1></body></html>\n".to_string();
            HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Date", date),
                    ("Server", "Apache/2.4.65 (Unix)".into()),
                    ("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT".into()),
                    ("ETag", "\"2d-432a5e4a73a80\"".into()),
                    ("Accept-Ranges", "bytes".into()),
                    ("Content-Length", body.len().to_string()),
                    ("Content-Type", "text/html".into()),
                ],
                body,
            )
        }
        App::HelloApp(major) => {
            let body = format!("Hello, world!\nVersion: {major}.0.0\nHostname: {hostname}\n");
            HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Date", date),
                    ("Content-Length", body.len().to_string()),
                    ("Content-Type", "text/plain; charset=utf-8".into()),
                ],
                body,
            )
        }
        App::PhpOk => HttpResponse::new(
            200,
            "OK",
            vec![
                ("Date", date),
                ("Server", "Apache/2.4.10 (Debian)".into()),
                ("X-Powered-By", "PHP/5.6.40".into()),
                ("Content-Length", "3".into()),
                ("Content-Type", "text/html; charset=UTF-8".into()),
            ],
            "OK!".into(),
        ),
        App::Mongo => {
            let body =
                "It looks like you are trying to access MongoDB over HTTP on the native driver port.\n".to_string();
            let mut r = HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Connection", "close".into()),
                    ("Content-Type", "text/plain".into()),
                    ("Content-Length", body.len().to_string()),
                ],
                body,
            );
            r.version = "HTTP/1.0";
            r
        }
        App::Redis | App::Mysql | App::CoreDns => return Answer::NotHttp,
        App::Postgres => return Answer::Closed,
        App::Generic => {
            let body = format!("{hostname}\n");
            HttpResponse::new(
                200,
                "OK",
                vec![
                    ("Date", date),
                    ("Content-Length", body.len().to_string()),
                    ("Content-Type", "text/plain; charset=utf-8".into()),
                ],
                body,
            )
        }
        App::Pause | App::Nothing => return Answer::NotHttp,
    };
    if head {
        r.body.clear();
    }
    Answer::Http(r)
}

/// A site of the simulated internet. Like Google's front end, it answers 404 to a request
/// whose Host header is not its own name.
pub fn serve_site(host: &str, title: &str, host_header: &str, method: &str, path: &str, unix_now: i64) -> HttpResponse {
    let date = http_date(unix_now);
    let own = host_header.split(':').next().unwrap_or("").eq_ignore_ascii_case(host);
    let mut r = if own && path == "/" {
        let body =
            format!("<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n");
        HttpResponse::new(
            200,
            "OK",
            vec![
                ("Date", date),
                ("Content-Type", "text/html; charset=ISO-8859-1".into()),
                ("Content-Length", body.len().to_string()),
            ],
            body,
        )
    } else {
        let body = format!(
            "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport \
                content=\"initial-scale=1, minimum-scale=1, width=device-width\">\n  <title>Error 404 (Not \
                Found)!!1</title>\n  <a href=//www.google.com/><span id=logo \
                aria-label=Google></span></a>\n  <p><b>404.</b> <ins>That’s an error.</ins>\n  <p>The requested URL \
                <code>{path}</code> was not found on this server.  <ins>That’s all we know.</ins>\n"
        );
        HttpResponse::new(
            404,
            "Not Found",
            vec![
                ("Content-Type", "text/html; charset=UTF-8".into()),
                ("Referrer-Policy", "no-referrer".into()),
                ("Content-Length", body.len().to_string()),
                ("Date", date),
            ],
            body,
        )
    };
    if method == "HEAD" {
        r.body.clear();
    }
    r
}
