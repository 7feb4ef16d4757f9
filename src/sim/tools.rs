//! Network tools as the learner runs them: curl (with its real messages and exit codes),
//! busybox wget, nslookup (bind and busybox flavours), dig +short and ping. Each request goes
//! through `Cluster::request` and leaves its trace in the output.

use super::net::{Client, Lookup, Outcome, Request, Trace};
use super::shell::{Output, Shell};

struct CurlOpts {
    verbose: bool,
    silent: bool,
    show_error: bool,
    head: bool,
    include: bool,
    max_time: Option<f64>,
    connect_timeout: Option<f64>,
    headers: Vec<(String, String)>,
    method: Option<String>,
    output_discard: bool,
    fail: bool,
    write_out: Option<String>,
    url: Option<String>,
}

fn curl_usage(msg: &str) -> Output {
    Output::err(
        format!("curl: {msg}\ncurl: try 'curl --help' or 'curl --manual' for more information\n"),
        2,
    )
}

fn parse_curl(args: &[String]) -> Result<CurlOpts, Output> {
    let mut o = CurlOpts {
        verbose: false,
        silent: false,
        show_error: false,
        head: false,
        include: false,
        max_time: None,
        connect_timeout: None,
        headers: Vec::new(),
        method: None,
        output_discard: false,
        fail: false,
        write_out: None,
        url: None,
    };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let value = |i: &mut usize| -> Result<String, Output> {
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| curl_usage(&format!("option {a}: requires parameter")))
        };
        let num = |s: String| -> Result<f64, Output> {
            s.parse::<f64>()
                .map_err(|_| curl_usage(&format!("option {a}: expected a proper numerical parameter")))
        };
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "verbose" => o.verbose = true,
                "silent" => o.silent = true,
                "show-error" => o.show_error = true,
                "head" => o.head = true,
                "include" => o.include = true,
                "fail" => o.fail = true,
                "insecure" | "location" | "compressed" | "http1.1" => {}
                "max-time" => o.max_time = Some(num(value(&mut i)?)?),
                "connect-timeout" => o.connect_timeout = Some(num(value(&mut i)?)?),
                "header" => {
                    let h = value(&mut i)?;
                    if let Some((k, v)) = h.split_once(':') {
                        o.headers.push((k.trim().to_string(), v.trim().to_string()));
                    }
                }
                "request" => o.method = Some(value(&mut i)?),
                "output" => {
                    value(&mut i)?;
                    o.output_discard = true;
                }
                "url" => o.url = Some(value(&mut i)?),
                "write-out" => o.write_out = Some(value(&mut i)?),
                _ => return Err(curl_usage(&format!("option {a}: is unknown"))),
            }
        } else if a.starts_with('-') && a.len() > 1 {
            let flags: Vec<char> = a[1..].chars().collect();
            for (j, f) in flags.iter().enumerate() {
                let rest: String = flags[j + 1..].iter().collect();
                let take = |i: &mut usize| -> Result<String, Output> {
                    if !rest.is_empty() {
                        Ok(rest.clone())
                    } else {
                        *i += 1;
                        args.get(*i)
                            .cloned()
                            .ok_or_else(|| curl_usage(&format!("option -{f}: requires parameter")))
                    }
                };
                match f {
                    'v' => o.verbose = true,
                    's' => o.silent = true,
                    'S' => o.show_error = true,
                    'I' => o.head = true,
                    'i' => o.include = true,
                    'f' => o.fail = true,
                    'k' | 'L' => {}
                    'm' => {
                        o.max_time = Some(num(take(&mut i)?)?);
                        break;
                    }
                    'H' => {
                        let h = take(&mut i)?;
                        if let Some((k, v)) = h.split_once(':') {
                            o.headers.push((k.trim().to_string(), v.trim().to_string()));
                        }
                        break;
                    }
                    'X' => {
                        o.method = Some(take(&mut i)?);
                        break;
                    }
                    'o' => {
                        take(&mut i)?;
                        o.output_discard = true;
                        break;
                    }
                    'w' => {
                        o.write_out = Some(take(&mut i)?);
                        break;
                    }
                    other => return Err(curl_usage(&format!("option -{other}: is unknown"))),
                }
            }
        } else {
            o.url = Some(a.clone());
        }
        i += 1;
    }
    Ok(o)
}

/// Splits `http://host:port/path` (scheme optional).
pub fn parse_url(url: &str) -> Result<(String, String, u16, String), String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_string(), url),
    };
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        other => return Err(format!("Protocol \"{other}\" not supported")),
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(n) if n > 0 => (h.to_string(), n),
            _ => return Err("URL rejected: Port number was not a decimal number between 0 and 65535".into()),
        },
        None => (hostport.to_string(), default_port),
    };
    if host.is_empty() {
        return Err("URL rejected: No host part in the URL".into());
    }
    Ok((scheme, host, port, path))
}

/// curl's `max5data`: a size or speed in at most five characters.
fn size5(n: u64) -> String {
    if n < 100_000 {
        format!("{n:>5}")
    } else if n < 10_000 * 1024 {
        format!("{:>4}k", n / 1024)
    } else {
        format!("{:>4}M", n / (1024 * 1024))
    }
}

fn hms(ms: u64) -> String {
    if ms < 1000 {
        return "--:--:--".into();
    }
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// The two heading lines of curl's progress meter.
const CURL_METER_HEAD: &str = r#"  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current
                                 Dload  Upload   Total   Spent    Left  Speed
"#;

fn progress_meter(bytes: u64, ms: u64) -> String {
    let pct = if bytes > 0 { 100 } else { 0 };
    let speed = if ms == 0 { 0 } else { bytes * 1000 / ms };
    format!(
        "{CURL_METER_HEAD}{pct:>3} {}  {pct:>3} {}    0     0  {}      0 --:--:-- {} --:--:-- {}",
        size5(bytes),
        size5(bytes),
        size5(speed),
        hms(ms),
        size5(speed)
    )
}

impl Shell {
    /// Sends a request and advances the clock by how long it took to fail.
    fn send(&mut self, client: &Client, req: &Request) -> Trace {
        let trace = match self.forwarded(client, req) {
            Some(t) => t,
            None => self.cluster.request(client, req),
        };
        let delivered = trace
            .hops
            .iter()
            .rev()
            .find(|h| matches!(h.rule, super::net::Rule::Deliver));
        if let (Some(hop), Outcome::Response(r)) = (delivered, &trace.outcome) {
            if let super::net::Place::Pod { namespace, name, .. } = &hop.place {
                self.cluster.log_access(
                    &(namespace.clone(), name.clone()),
                    &hop.after.src.ip,
                    req,
                    r.status,
                    r.body.len(),
                );
            }
        }
        if self.sent.len() >= super::shell::SENT_KEPT {
            self.sent.remove(0);
        }
        self.sent.push(super::shell::Sent {
            request: req.clone(),
            trace: trace.clone(),
        });
        trace
    }

    pub fn curl(&mut self, client: &Client, args: &[String], tty: bool, version: &str) -> Output {
        let o = match parse_curl(args) {
            Ok(o) => o,
            Err(e) => return e,
        };
        let Some(url) = o.url.clone() else {
            return curl_usage("no URL specified");
        };
        let (scheme, host, port, path) = match parse_url(&url) {
            Ok(x) => x,
            Err(e) => {
                return Output::err(
                    if o.silent && !o.show_error {
                        String::new()
                    } else {
                        format!("curl: (3) {e}\n")
                    },
                    3,
                )
            }
        };
        let method = o
            .method
            .clone()
            .unwrap_or_else(|| if o.head { "HEAD".into() } else { "GET".into() });
        let default_port = if scheme == "https" { 443 } else { 80 };
        let host_header = o
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| {
                if port == default_port {
                    host.clone()
                } else {
                    format!("{host}:{port}")
                }
            });
        let req = Request {
            host: host.clone(),
            port,
            method: method.clone(),
            path: path.clone(),
            host_header: host_header.clone(),
            user_agent: format!("curl/{version}"),
        };
        let trace = self.send(client, &req);
        let meter = !tty && !o.silent;
        let show_err = !o.silent || o.show_error;
        let limit_ms = o.max_time.or(o.connect_timeout).map(|t| (t * 1000.0) as u64);
        let mut v = String::new();
        let mut text = String::new();
        let mut code = 0;
        let ip = trace.connected.as_ref().map(|a| a.ip.clone()).unwrap_or_default();
        let local = trace.local.clone();
        let is_ip = super::validation::parse_ipv4(&host).is_some();
        let resolved_note = |v: &mut String| {
            if !is_ip {
                v.push_str(&format!(
                    "* Host {host}:{port} was resolved.\n* IPv6: (none)\n* IPv4: {ip}\n"
                ));
            }
        };
        let request_lines = |v: &mut String| {
            v.push_str(&format!("* Connected to {host} ({ip}) port {port}\n* using HTTP/1.x\n"));
            v.push_str(&format!(
                "> {method} {path} HTTP/1.1\n> Host: {host_header}\n> User-Agent: curl/{version}\n> Accept: */*\n"
            ));
            for (k, val) in o.headers.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")) {
                v.push_str(&format!("> {k}: {val}\n"));
            }
            v.push_str(">\n* Request completely sent off\n");
        };
        let mut error: Option<String> = None;
        let mut elapsed = trace.elapsed_ms;
        match &trace.outcome {
            Outcome::Unresolved(name) | Outcome::DnsTimeout(name) => {
                if matches!(trace.outcome, Outcome::DnsTimeout(_)) {
                    elapsed = 10_000;
                    self.cluster.advance(10);
                }
                v.push_str(&format!(
                    "* Could not resolve host: {name}\n* shutting down connection #0\n"
                ));
                code = 6;
                error = Some(format!("Could not resolve host: {name}"));
            }
            Outcome::Refused => {
                resolved_note(&mut v);
                let from = local
                    .map(|l| format!(" from {} port {}", l.ip, l.port))
                    .unwrap_or_default();
                v.push_str(&format!(
                    "*   Trying {ip}:{port}...\n* connect to {ip} port {port}{from} failed: Connection refused\n"
                ));
                let msg =
                    format!("Failed to connect to {host} port {port} after {elapsed} ms: Could not connect to server");
                v.push_str(&format!("* {msg}\n* closing connection #0\n"));
                code = 7;
                error = Some(msg);
            }
            Outcome::Timeout => {
                resolved_note(&mut v);
                v.push_str(&format!("*   Trying {ip}:{port}...\n"));
                match limit_ms {
                    Some(ms) => {
                        elapsed = ms + 1;
                        self.cluster.advance(ms.div_ceil(1000) as i64);
                        let msg = format!("Connection timed out after {elapsed} milliseconds");
                        v.push_str(&format!("* {msg}\n* closing connection #0\n"));
                        error = Some(msg);
                    }
                    None => {
                        // The kernel gives up on an unanswered SYN after about 130 s.
                        elapsed = 130_563;
                        self.cluster.advance(131);
                        let msg = format!(
                            "Failed to connect to {host} port {port} after {elapsed} ms: Could not connect to server"
                        );
                        v.push_str(&format!(
                            "* connect to {ip} port {port} failed: Connection timed out\n* {msg}\n* \
                            closing connection #0\n"
                        ));
                        error = Some(msg);
                    }
                }
                code = 28;
            }
            Outcome::Reset | Outcome::EmptyReply => {
                resolved_note(&mut v);
                v.push_str(&format!("*   Trying {ip}:{port}...\n"));
                request_lines(&mut v);
                let nat_gives_up_ms = 75_000;
                match (&trace.outcome, limit_ms) {
                    (Outcome::EmptyReply, Some(ms)) if ms < nat_gives_up_ms => {
                        elapsed = ms + 1;
                        self.cluster.advance(ms.div_ceil(1000) as i64);
                        let msg = format!("Operation timed out after {elapsed} milliseconds with 0 bytes received");
                        v.push_str(&format!("* {msg}\n* closing connection #0\n"));
                        error = Some(msg);
                        code = 28;
                    }
                    (Outcome::EmptyReply, _) => {
                        elapsed = nat_gives_up_ms;
                        self.cluster.advance(75);
                        v.push_str("* Empty reply from server\n* closing connection #0\n");
                        error = Some("Empty reply from server".into());
                        code = 52;
                    }
                    _ => {
                        v.push_str("* Recv failure: Connection reset by peer\n* closing connection #0\n");
                        error = Some("Recv failure: Connection reset by peer".into());
                        code = 56;
                    }
                }
            }
            Outcome::NotHttp => {
                resolved_note(&mut v);
                v.push_str(&format!("*   Trying {ip}:{port}...\n"));
                request_lines(&mut v);
                v.push_str("* Received HTTP/0.9 when not allowed\n* closing connection #0\n");
                error = Some("Received HTTP/0.9 when not allowed".into());
                code = 1;
            }
            Outcome::Response(r) => {
                resolved_note(&mut v);
                v.push_str(&format!("*   Trying {ip}:{port}...\n"));
                if scheme == "https"
                    && !matches!(trace.client, super::net::Place::Pc)
                    && !trace
                        .hops
                        .iter()
                        .any(|h| matches!(h.place, super::net::Place::Internet(_)))
                {
                    v.push_str(&format!(
                        "* Connected to {host} ({ip}) port {port}\n* ALPN: curl offers h2,http/1.1\n* \
                        TLSv1.3 (OUT), TLS handshake, Client hello (1):\n"
                    ));
                    let msg = "OpenSSL/3.5.1: error:0A00010B:SSL routines::wrong version number".to_string();
                    v.push_str(&format!("* {msg}\n* closing connection #0\n"));
                    error = Some(msg);
                    code = 35;
                } else {
                    request_lines(&mut v);
                    let mut head = format!("{} {} {}\n", r.version, r.status, r.reason);
                    for (k, val) in &r.headers {
                        head.push_str(&format!("{k}: {val}\n"));
                    }
                    for line in head.lines() {
                        v.push_str(&format!("< {line}\n"));
                    }
                    v.push_str("<\n");
                    if o.fail && r.status >= 400 {
                        let msg = format!("The requested URL returned error: {}", r.status);
                        v.push_str(&format!("* {msg}\n* closing connection #0\n"));
                        error = Some(msg);
                        code = 22;
                    } else {
                        if o.head || o.include {
                            text.push_str(&head.replace('\n', "\r\n"));
                            text.push_str("\r\n");
                        }
                        if !o.head && !o.output_discard {
                            text.push_str(&r.body);
                        }
                    }
                }
            }
        }
        let mut out = String::new();
        if o.verbose {
            out.push_str(&v);
        }
        let bytes = if let Outcome::Response(r) = &trace.outcome {
            r.body.len() as u64
        } else {
            0
        };
        if meter && !o.verbose {
            out.push_str(&progress_meter(if code == 0 { bytes } else { 0 }, elapsed));
            if code == 0 {
                out.push('\n');
            }
        }
        if let Some(fmt) = &o.write_out {
            let status = if let Outcome::Response(r) = &trace.outcome {
                if code == 0 || code == 22 {
                    r.status
                } else {
                    0
                }
            } else {
                0
            };
            let local_ip = trace.local.as_ref().map(|l| l.ip.clone()).unwrap_or_default();
            text.push_str(
                &fmt.replace("%{http_code}", &format!("{status:03}"))
                    .replace("%{response_code}", &format!("{status:03}"))
                    .replace("%{remote_ip}", &ip)
                    .replace("%{local_ip}", &local_ip)
                    .replace("\\n", "\n"),
            );
        }
        let body_at = out.len();
        if code == 0 || o.write_out.is_some() {
            out.push_str(&text);
        }
        self.stdout_part = Some((body_at, out.len()));
        if code == 0 {
            if o.verbose {
                out.push_str(&format!("* Connection #0 to host {host} left intact\n"));
            }
        } else if let Some(e) = error {
            if show_err {
                out.push_str(&format!("curl: ({code}) {e}\n"));
            } else if meter {
                out.push('\n');
            }
        }
        // A body without a final newline stays so (the terminal starts the prompt on a new line
        // anyway); a pipe or `$(...)` sees the bytes the server sent.
        Output {
            text: out,
            code,
            traces: vec![trace],
        }
    }

    /// busybox `wget -qO- URL` and `wget -O- URL`.
    pub fn wget(&mut self, client: &Client, args: &[String]) -> Output {
        let mut quiet = false;
        let mut url = None;
        let mut timeout = None;
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-q" => quiet = true,
                "-qO-" | "-qO" | "-O-" | "-O" | "-Oq" => {
                    quiet |= args[i].contains('q');
                    if args[i].ends_with('O') {
                        i += 1;
                    }
                }
                "-T" => {
                    i += 1;
                    timeout = args.get(i).and_then(|t| t.parse::<u64>().ok());
                }
                a if a.starts_with('-') => {}
                a => url = Some(a.to_string()),
            }
            i += 1;
        }
        let Some(url) = url else {
            return Output::err(WGET_USAGE, 1);
        };
        let (_, host, port, path) = match parse_url(&url) {
            Ok(x) => x,
            Err(e) => return Output::err(format!("wget: {e}\n"), 1),
        };
        let host_header = if port == 80 {
            host.clone()
        } else {
            format!("{host}:{port}")
        };
        let req = Request {
            host: host.clone(),
            port,
            method: "GET".into(),
            path,
            host_header,
            user_agent: "Wget".into(),
        };
        let trace = self.send(client, &req);
        let ip = trace.connected.as_ref().map(|a| a.ip.clone()).unwrap_or_default();
        let mut text = String::new();
        if !quiet && trace.connected.is_some() {
            text.push_str(&format!("Connecting to {host}:{port} ({ip}:{port})\n"));
        }
        let code = match &trace.outcome {
            Outcome::Response(r) if r.status < 400 => {
                if !quiet {
                    text.push_str("writing to stdout\n");
                }
                text.push_str(&r.body);
                if !quiet {
                    text.push_str(&format!(
                        "-                    100% \
                        |********************************|   {:>3}  0:00:00 ETA\nwritten to stdout\n",
                        r.body.len()
                    ));
                }
                0
            }
            Outcome::Response(r) => {
                text.push_str(&format!(
                    "wget: server returned error: {} {} {}\n",
                    r.version, r.status, r.reason
                ));
                1
            }
            Outcome::Unresolved(_) | Outcome::DnsTimeout(_) => {
                text.push_str(&format!("wget: bad address '{host}:{port}'\n"));
                1
            }
            Outcome::Refused | Outcome::Reset => {
                text.push_str(&format!(
                    "wget: can't connect to remote host ({ip}): Connection refused\n"
                ));
                1
            }
            Outcome::Timeout | Outcome::EmptyReply => {
                let secs = timeout.unwrap_or(900);
                self.cluster.advance(secs as i64);
                text.push_str("wget: download timed out\n");
                1
            }
            Outcome::NotHttp => {
                text.push_str("wget: server returned error: HTTP/0.9\n");
                1
            }
        };
        Output {
            text,
            code,
            traces: vec![trace],
        }
    }

    pub fn nslookup(&mut self, client: &Client, args: &[String], flavour: &str) -> Output {
        if flavour == "busybox-1.28" {
            return self.nslookup_old_busybox(client, args);
        }
        if let Some(o) = self.nslookup_records(client, args, flavour) {
            return o;
        }
        let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
            return Output::err(
                "nslookup: interactive mode is not available in this lab; give a name: nslookup NAME\n",
                1,
            );
        };
        let server = match client {
            Client::Pod(_) => self.cluster.resolv_conf(client).1.first().cloned().unwrap_or_default(),
            _ => "127.0.0.53".into(),
        };
        let sep = if flavour == "busybox" { ":" } else { "#" };
        let mut text = format!("Server:\t\t{server}\nAddress:\t{server}{sep}53\n\n");
        match self.cluster.lookup(client, name) {
            Lookup::Found { name: fqdn, cname, ips } => {
                if flavour != "busybox" && !matches!(client, Client::Pod(_)) || flavour == "bind" && fqdn.is_empty() {
                    text.push_str("Non-authoritative answer:\n");
                }
                if let Some(c) = &cname {
                    text.push_str(&format!("{fqdn}\tcanonical name = {c}.\n"));
                }
                let shown = cname.clone().unwrap_or(fqdn);
                for ip in ips {
                    text.push_str(&format!("Name:\t{shown}\nAddress: {ip}\n"));
                }
                text.push('\n');
                Output::ok(text)
            }
            Lookup::NxDomain { .. } => {
                text.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
                Output::err(text, 1)
            }
            Lookup::NoServer => {
                self.cluster.advance(15);
                Output::err(";; connection timed out; no servers could be reached\n\n", 1)
            }
        }
    }

    pub fn dig(&mut self, client: &Client, args: &[String]) -> Output {
        if let Some(o) = self.dig_records(client, args) {
            return o;
        }
        let Some(name) = args
            .iter()
            .find(|a| !a.starts_with('+') && !a.starts_with('-') && !a.starts_with('@'))
        else {
            return Output::err("dig: this lab answers `dig +short NAME`\n", 1);
        };
        match self.cluster.lookup(client, name) {
            Lookup::Found { cname, ips, .. } => {
                let mut text = String::new();
                if let Some(c) = cname {
                    text.push_str(&format!("{c}.\n"));
                }
                for ip in ips {
                    text.push_str(&format!("{ip}\n"));
                }
                Output::ok(text)
            }
            Lookup::NxDomain { .. } => Output::ok(""),
            Lookup::NoServer => Output::err(
                format!(
                    ";; communications error to {}#53: timed out\n;; no servers could be reached\n",
                    self.cluster.lab.dns_ip
                ),
                9,
            ),
        }
    }

    /// ping: pods and nodes answer; a ClusterIP is only a NAT rule and never does.
    pub fn ping(&mut self, client: &Client, args: &[String]) -> Output {
        let count = args
            .iter()
            .position(|a| a == "-c")
            .and_then(|i| args.get(i + 1))
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(3)
            .clamp(1, 10);
        let Some(host) = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .find(|a| a.parse::<u32>().is_err())
        else {
            return Output::err("ping: usage error: Destination address required\n", 2);
        };
        let ip = match self.cluster.lookup(client, host) {
            Lookup::Found { ips, .. } if !ips.is_empty() => ips[0].clone(),
            _ => return Output::err(format!("ping: {host}: Name or service not known\n"), 2),
        };
        let answers = self.cluster.pod_by_ip(&ip).is_some()
            || self.cluster.node_by_ip(&ip).is_some()
            || self.cluster.lab.internet.iter().any(|s| s.ip == ip);
        let mut text = format!("PING {host} ({ip}) 56(84) bytes of data.\n");
        if answers {
            for i in 1..=count {
                text.push_str(&format!(
                    "64 bytes from {ip}: icmp_seq={i} ttl=63 time=0.{} ms\n",
                    300 + i * 37
                ));
            }
            text.push_str(&format!(
                "\n--- {host} ping statistics ---\n{count} packets transmitted, {count} received, \
                0% packet loss, time {}ms\n",
                (count - 1) * 1001
            ));
            self.cluster.advance(count as i64 - 1);
            Output::ok(text)
        } else {
            self.cluster.advance(count as i64 + 9);
            text.push_str(&format!(
                "\n--- {host} ping statistics ---\n{count} packets transmitted, 0 received, 100% \
                packet loss, time {}ms\n\n",
                (count - 1) * 1024
            ));
            Output::err(text, 1)
        }
    }
}

/// BusyBox wget's usage, printed for a bad option.
const WGET_USAGE: &str = r#"BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.

Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
	[--post-data STR | --post-file FILE] [-Y on/off]
	[-P DIR] [-U AGENT] [-T SEC] URL...
"#;

// ---------------------------------------------------------------------------------------------
// Node tools that need root: iptables, iptables-save, conntrack.

const IPT: &str = "iptables v1.8.10 (nf_tables)";

impl Shell {
    /// The counters of `node`'s rules and built-in chain policies, as closures for the printers.
    fn ipt_counters(&self, node: &str) -> (Box<super::iptables::Counters>, Box<super::iptables::Counters>) {
        let rs = super::iptables::node_rules(&self.cluster, node);
        let seen = self.cluster.ipt_counters.clone();
        let n = node.to_string();
        let rules = move |t: &str, c: &str, i: usize| -> (u64, u64) {
            rs.table(t)
                .and_then(|t| t.find(c))
                .and_then(|c| c.rules.get(i.wrapping_sub(1)))
                .and_then(|r| seen.get(&(n.clone(), t.to_string(), c.to_string(), r.save())).copied())
                .unwrap_or((0, 0))
        };
        // The filter INPUT and OUTPUT policies count the node's own traffic (the API server,
        // kubelet, Calico): modelled as a steady rate over the node's uptime.
        let cp = self.cluster.lab.nodes.iter().any(|x| x.name == node && x.control_plane);
        let up = (self.cluster.lab.cluster_age + self.cluster.now).max(0) as u64;
        let rate = if cp { 40 } else { 9 };
        let policy = move |t: &str, c: &str, _: usize| -> (u64, u64) {
            match (t, c) {
                ("filter", "INPUT") => (up * rate, up * rate * 642),
                ("filter", "OUTPUT") => (up * rate * 99 / 100, up * rate * 190),
                _ => (0, 0),
            }
        };
        (Box::new(rules), Box::new(policy))
    }

    fn not_root(&self, prog: &str) -> Option<Output> {
        (self.cluster.lab.user != "root").then(|| {
            Output::err(
                format!("{prog} v1.8.10 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n"),
                4,
            )
        })
    }

    fn lab_only(prog: &str, supported: &str) -> Output {
        Output::err(format!("svclab: {prog} here supports {supported}\n"), 2)
    }

    /// `iptables-save [-t TABLE] [-c]`.
    pub fn iptables_save(&mut self, node: &str, args: &[String], root: bool) -> Output {
        if !root {
            if let Some(o) = self.not_root("iptables-save") {
                return o;
            }
        }
        let mut table: Option<String> = None;
        let mut counters = false;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            match a {
                "-c" | "--counters" => counters = true,
                "-t" | "--table" => {
                    i += 1;
                    match args.get(i) {
                        Some(t) => table = Some(t.clone()),
                        None => return Self::lab_only("iptables-save", "-t TABLE and -c"),
                    }
                }
                _ if a.starts_with("--table=") => table = Some(a["--table=".len()..].to_string()),
                _ if a.starts_with("-t") && a.len() > 2 => table = Some(a[2..].to_string()),
                _ => return Self::lab_only("iptables-save", "-t TABLE and -c"),
            }
            i += 1;
        }
        let mut rs = super::iptables::node_rules(&self.cluster, node);
        let names: Vec<&str> = match table.as_deref() {
            None => vec!["mangle", "filter", "nat"],
            Some(t @ ("mangle" | "filter" | "nat")) => vec![t],
            Some("raw") => {
                rs.tables
                    .push(super::iptables::Table::empty("raw", &["PREROUTING", "OUTPUT"]));
                vec!["raw"]
            }
            Some("security") => {
                rs.tables.push(super::iptables::Table::empty(
                    "security",
                    &["INPUT", "FORWARD", "OUTPUT"],
                ));
                vec!["security"]
            }
            Some(t) => return Output::err(format!("Table `{t}' does not exist\n"), 1),
        };
        let date = super::clock::ctime(self.cluster.lab.start_unix + self.cluster.now);
        let (rules, policy) = self.ipt_counters(node);
        let text = super::iptables::save(&rs, &names, &date, counters.then_some(&*rules), &*policy);
        Output::ok(text)
    }

    /// `iptables [-t TABLE] -S|-L [CHAIN] [-n] [-v] [-x] [--line-numbers]`.
    pub fn iptables(&mut self, node: &str, args: &[String], root: bool) -> Output {
        const SUPPORTED: &str = "-t TABLE, -S [CHAIN], -L [CHAIN], -n, -v, -x and --line-numbers";
        let mut table = "filter".to_string();
        let mut cmd: Option<char> = None;
        let mut positional: Vec<String> = Vec::new();
        let mut f = super::iptables::ListFormat::default();
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            if let Some(long) = a.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                match name {
                    "table" => match value.or_else(|| {
                        i += 1;
                        args.get(i).cloned()
                    }) {
                        Some(t) => table = t,
                        None => return Self::lab_only("iptables", SUPPORTED),
                    },
                    "list" => cmd = Some('L'),
                    "list-rules" => cmd = Some('S'),
                    "numeric" => f.numeric = true,
                    "verbose" => f.verbose = true,
                    "exact" => f.exact = true,
                    "line-numbers" => f.line_numbers = true,
                    _ => return Self::lab_only("iptables", SUPPORTED),
                }
            } else if a.len() > 1 && a.starts_with('-') {
                let chars: Vec<char> = a[1..].chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    match chars[j] {
                        'L' | 'S' if cmd.is_none() || cmd == Some(chars[j]) => cmd = Some(chars[j]),
                        'n' => f.numeric = true,
                        'v' => f.verbose = true,
                        'x' => f.exact = true,
                        't' => {
                            let rest: String = chars[j + 1..].iter().collect();
                            if rest.is_empty() {
                                i += 1;
                                match args.get(i) {
                                    Some(t) => table = t.clone(),
                                    None => return Self::lab_only("iptables", SUPPORTED),
                                }
                            } else {
                                table = rest;
                            }
                            j = chars.len();
                            continue;
                        }
                        _ => return Self::lab_only("iptables", SUPPORTED),
                    }
                    j += 1;
                }
            } else {
                positional.push(a.to_string());
            }
            i += 1;
        }
        let Some(cmd) = cmd else {
            return Self::lab_only("iptables", SUPPORTED);
        };
        if positional.len() > 1 {
            return Output::err(
                format!(
                    "{IPT}: Bad argument `{}'\nTry `iptables -h' or 'iptables --help' for more information.\n",
                    positional[1]
                ),
                2,
            );
        }
        if !root {
            if let Some(o) = self.not_root("iptables") {
                return o;
            }
        }
        let rs = super::iptables::node_rules(&self.cluster, node);
        let extra;
        let t = match table.as_str() {
            "raw" => {
                extra = super::iptables::Table::empty("raw", &["PREROUTING", "OUTPUT"]);
                &extra
            }
            "security" => {
                extra = super::iptables::Table::empty("security", &["INPUT", "FORWARD", "OUTPUT"]);
                &extra
            }
            other => match rs.table(other) {
                Some(t) => t,
                None => {
                    return Output::err(
                        format!(
                            "{IPT}: table '{other}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n"
                        ),
                        3,
                    )
                }
            },
        };
        let chain = match positional.first() {
            Some(name) => match t.find(name) {
                Some(c) => Some(c),
                None => return Output::err("iptables: No chain/target/match by that name.\n", 1),
            },
            None => None,
        };
        let (rules, policy) = self.ipt_counters(node);
        if cmd == 'S' {
            return Output::ok(super::iptables::spec(t, chain, f.verbose.then_some(&*rules)));
        }
        let nodes: Vec<(String, String)> = self
            .cluster
            .lab
            .nodes
            .iter()
            .map(|n| (n.ip.clone(), n.name.clone()))
            .collect();
        let hosts = move |a: &str| -> Option<String> {
            if a == "127.0.0.0/8" {
                return Some("localhost/8".into());
            }
            if a == "127.0.0.1" {
                return Some("localhost".into());
            }
            nodes.iter().find(|(ip, _)| ip == a).map(|(_, n)| n.clone())
        };
        Output::ok(super::iptables::list(t, chain, f, &*rules, &*policy, &hosts))
    }
}

impl Shell {
    /// `conntrack -L [-p PROTO] [-s ADDR] [-d ADDR]`: the node's entries, then the summary line
    /// (on stderr in a real terminal, so after the entries here).
    pub fn conntrack(&mut self, node: &str, args: &[String], root: bool) -> Output {
        const SUPPORTED: &str = "-L with -p PROTO, -s ADDR and -d ADDR";
        let (mut list, mut proto, mut src, mut dst) = (false, None, None, None);
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let mut value = || {
                i += 1;
                args.get(i).cloned()
            };
            match a {
                "-L" | "--dump" => list = true,
                "-p" | "--proto" => proto = value(),
                "-s" | "--orig-src" | "--src" => src = value(),
                "-d" | "--orig-dst" | "--dst" => dst = value(),
                _ => return Self::lab_only("conntrack", SUPPORTED),
            }
            if a != "-L" && a != "--dump" && proto.is_none() && src.is_none() && dst.is_none() {
                return Self::lab_only("conntrack", SUPPORTED);
            }
            i += 1;
        }
        if !list {
            return Self::lab_only("conntrack", SUPPORTED);
        }
        if !root && self.cluster.lab.user != "root" {
            return Output::err(
                "conntrack v1.4.8 (conntrack-tools): Operation failed: Operation not permitted\n",
                1,
            );
        }
        let now = self.cluster.now;
        let mut text = String::new();
        let mut n = 0;
        for e in self.cluster.conntrack.iter().filter(|e| e.node == node) {
            let left = e.left(now);
            let p = if e.udp { "udp" } else { "tcp" };
            if left <= 0
                || proto.as_deref().is_some_and(|x| x != p)
                || src.as_deref().is_some_and(|x| x != e.orig.0)
                || dst.as_deref().is_some_and(|x| x != e.orig.1)
            {
                continue;
            }
            let tuple = |t: &(String, String, u16, u16)| format!("src={} dst={} sport={} dport={}", t.0, t.1, t.2, t.3);
            let (num, state, assured) = if e.udp {
                ("17", "", "")
            } else {
                ("6", "TIME_WAIT ", "[ASSURED] ")
            };
            text.push_str(&format!(
                "{p:<8} {num} {left} {state}{} {} {assured}mark=0 use=1\n",
                tuple(&e.orig),
                tuple(&e.reply)
            ));
            n += 1;
        }
        text.push_str(&format!(
            "conntrack v1.4.8 (conntrack-tools): {n} flow entries have been shown.\n"
        ));
        Output::ok(text)
    }
}
