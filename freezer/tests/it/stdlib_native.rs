//! Standard-library modules that stand on the runtime's native code or on the OS: time
//! zones from the OS's database, HTTPS through `ssl`, and `sqlite3`, each compared with
//! CPython.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{Compare, Ctx, assert_contains, clean_command};

/// The program with extra environment for both sides.
fn with_env<'c>(program: &Compare<'c>, env: &[(&str, &str)]) -> Compare<'c> {
    env.iter()
        .fold(program.clone(), |both, (key, value)| both.env(key, value))
}

const ZONES: &str = r#"
import datetime, sys, zoneinfo
utc = datetime.timezone.utc
print("TZPATH", zoneinfo.TZPATH)
for name in sys.argv[1:]:
    try:
        zone = zoneinfo.ZoneInfo(name)
    except zoneinfo.ZoneInfoNotFoundError as e:
        print(name, "not found:", type(e).__name__, e)
        continue
    # Instants on both sides of each DST change of 2024 in the north and the south.
    for instant in [(2024, 3, 10, 6, 59), (2024, 3, 10, 7, 0), (2024, 3, 31, 0, 59),
                    (2024, 3, 31, 1, 0), (2024, 4, 6, 15, 59), (2024, 4, 6, 16, 0),
                    (2024, 10, 5, 15, 59), (2024, 10, 5, 16, 0), (2024, 11, 3, 5, 59),
                    (2024, 11, 3, 6, 0), (1970, 1, 1, 0, 0), (2040, 7, 1, 12, 0)]:
        local = datetime.datetime(*instant, tzinfo=utc).astimezone(zone)
        print(name, local.isoformat(), local.tzname(), local.dst())
    ambiguous = datetime.datetime(2024, 11, 3, 1, 30, tzinfo=zone)
    print(name, ambiguous.utcoffset(), ambiguous.replace(fold=1).utcoffset())
names = zoneinfo.available_timezones()
print("zones", len(names), sorted(names)[::50])
"#;

#[test]
fn time_zones_come_from_the_os_database() {
    if !Path::new("/usr/share/zoneinfo/America/New_York").is_file() {
        eprintln!("skipped: this machine has no tz database in /usr/share/zoneinfo");
        return;
    }
    let ctx = Ctx::new();
    let program = ctx.compare_source("zones", ZONES);
    let zones = [
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
        "Asia/Kolkata",
        "UTC",
        "Not/A_Zone",
    ];
    let run = program.assert_same(&zones, b"");
    assert_contains(
        &run.stdout,
        "America/New_York 2024-03-10T03:00:00-04:00 EDT",
    );

    // PYTHONTZPATH replaces the search path, as in CPython: a private database here...
    let private = ctx.path("tz");
    std::fs::create_dir_all(private.join("My")).unwrap();
    std::fs::copy("/usr/share/zoneinfo/Europe/Paris", private.join("My/Zone")).unwrap();
    let private = private.display().to_string();
    let run = with_env(&program, &[("PYTHONTZPATH", &private)])
        .assert_same(&["My/Zone", "America/New_York"], b"");
    assert!(
        run.stdout
            .contains("My/Zone 2024-03-31T03:00:00+02:00 CEST")
    );
    assert!(run.stdout.contains("America/New_York not found"));
    // ...an empty one searches nowhere, and a relative entry is refused with a warning.
    with_env(&program, &[("PYTHONTZPATH", "")]).assert_same(&["UTC"], b"");
    // (The warning names a standard-library line, which differs between versions.)
    let (frozen, cpython) = with_env(
        &program,
        &[("PYTHONTZPATH", "relative/dir:/usr/share/zoneinfo")],
    )
    .both(&["UTC"], b"");
    assert_eq!(
        (&frozen.stdout, frozen.code),
        (&cpython.stdout, cpython.code)
    );
    for run in [&frozen, &cpython] {
        assert_contains(
            &run.stderr,
            "InvalidTZPathWarning: Invalid paths specified in PYTHONTZPATH environment \
                 variable. Paths should be absolute but found the following relative paths:\n    relative/dir\n",
        );
    }
}

const SQLITE: &str = r#"
import os, sqlite3
print(sqlite3.paramstyle, sqlite3.sqlite_version_info >= (3, 7, 0))
con = sqlite3.connect(":memory:")
cur = con.cursor()
cur.execute("create table t (id integer primary key, name text, score real, data blob)")
cur.executemany("insert into t (name, score, data) values (?, ?, ?)",
                [("a", 1.5, b"\x00\x01"), ("b", None, None), ("é", 3.0, b"")])
con.commit()
print(cur.lastrowid, cur.rowcount)
print(cur.execute("select * from t order by id").fetchall())
print(cur.description)

# A transaction that fails is rolled back by the context manager.
try:
    with con:
        con.execute("insert into t (name) values ('x')")
        raise RuntimeError("boom")
except RuntimeError as e:
    print("rolled back after", e)
print(con.execute("select count(*) from t").fetchone())
con.execute("insert into t (name) values ('y')")
print(con.in_transaction)
con.rollback()
print(con.in_transaction, con.execute("select count(*) from t").fetchone())

con.execute("create table u (k text unique)")
con.execute("insert into u values ('k')")
for bad in ["insert into u values ('k')", "selec 1", "select * from nowhere"]:
    try:
        con.execute(bad)
    except sqlite3.Error as e:
        print(type(e).__name__, e)

con.row_factory = sqlite3.Row
row = con.execute("select name, score from t where id = :id", {"id": 1}).fetchone()
print(row["name"], row.keys(), tuple(row))
con.create_function("twice", 1, lambda x: x * 2)
print(con.execute("select twice(21), twice('ab'), upper('é')").fetchone()[:])
print(list(con.iterdump())[:3])
con.close()

# A database file survives closing and reopening.
path = "data.db"
if os.path.exists(path):
    os.remove(path)
with sqlite3.connect(path) as db:
    db.execute("create table kv (k text primary key, v integer)")
    db.executemany("insert into kv values (?, ?)", [(str(i), i * i) for i in range(100)])
db.close()
db = sqlite3.connect(path)
print(db.execute("select count(*), sum(v) from kv").fetchone())
db.close()
os.remove(path)
"#;

#[test]
fn sqlite3_round_trips() {
    let ctx = Ctx::new();
    let program = ctx.compare_source("db", SQLITE);
    let run = program.assert_same(&[], b"");
    assert!(run.stdout.contains("(100, 328350)"), "{}", run.stdout);
}

/// `openssl ARGS` (split at spaces) in `dir`; panics with its stderr if it fails.
fn openssl(dir: &Path, args: &str) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args.split_whitespace())
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl req` options for a new P-256 key, unencrypted.
const NEW_KEY: &str = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

/// A CA (`{name}.pem`) of the test's own, and, if `server`, a certificate it signed for
/// 127.0.0.1 (`server.pem`, key `server.key`).
fn make_ca(dir: &Path, name: &str, server: bool) {
    openssl(
        dir,
        &format!(
            "req -x509 {NEW_KEY} -keyout {name}.key -out {name}.pem -days 2 \
             -subj /CN=freeze-test-{name} -addext basicConstraints=critical,CA:TRUE \
             -addext keyUsage=critical,keyCertSign,cRLSign"
        ),
    );
    if !server {
        return;
    }
    openssl(
        dir,
        &format!("req {NEW_KEY} -keyout server.key -out server.csr -subj /CN=127.0.0.1"),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &format!(
            "x509 -req -in server.csr -CA {name}.pem -CAkey {name}.key -CAcreateserial \
             -out server.pem -days 2 -extfile server.ext"
        ),
    );
}

/// An HTTPS server (CPython's http.server in ssl) on 127.0.0.1, killed when dropped.
struct Server {
    child: std::process::Child,
    port: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SERVER: &str = r#"
import http.server, ssl, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello over TLS: " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[::-1])
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain("server.pem", "server.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

fn start_server(dir: &Path) -> Server {
    std::fs::write(dir.join("server.py"), SERVER).unwrap();
    let mut child = clean_command("python3")
        .current_dir(dir)
        .arg("server.py")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the HTTPS server");
    let mut port = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    Server {
        child,
        port: port.trim().to_owned(),
    }
}

const CLIENT: &str = r#"
import socket, ssl, sys, urllib.error, urllib.request
port, ca, unknown_ca = sys.argv[1:4]
url = f"https://127.0.0.1:{port}"
context = ssl.create_default_context(cafile=ca)
print(context.verify_mode, context.check_hostname, context.protocol)
with urllib.request.urlopen(url + "/hello?x=1", context=context, timeout=30) as r:
    print(r.status, r.headers.get_content_type(), r.read().decode())
request = urllib.request.Request(url + "/echo", data=b"payload", method="POST")
with urllib.request.urlopen(request, context=context, timeout=30) as r:
    print(r.status, r.read())
with socket.create_connection(("127.0.0.1", int(port)), timeout=30) as raw:
    with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        cert = tls.getpeercert()
        print(cert["subject"], cert["issuer"], cert["subjectAltName"])
# Verification fails against a CA that did not sign the server's certificate, and
# against the OS's store, which does not know the test's CA.
for context in [ssl.create_default_context(cafile=unknown_ca), ssl.create_default_context()]:
    try:
        urllib.request.urlopen(url + "/", context=context, timeout=30)
    except urllib.error.URLError as e:
        reason = e.reason
        print(type(reason).__name__, isinstance(reason, ssl.SSLError), reason.reason,
              reason.verify_code, reason.verify_message)
"#;

#[test]
fn https_client_verifies_against_its_ca() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("skipped: no openssl command to make the test's certificates");
        return;
    }
    let ctx = Ctx::new();
    let dir = ctx.path("pki");
    std::fs::create_dir_all(&dir).unwrap();
    make_ca(&dir, "ca", true);
    make_ca(&dir, "other", false);
    let server = start_server(&dir);
    let program = ctx.compare_source("client", CLIENT);
    let ca = dir.join("ca.pem").display().to_string();
    let other = dir.join("other.pem").display().to_string();
    let run = program.assert_same(&[&server.port, &ca, &other], b"");
    assert_contains(&run.stdout, "200 text/plain hello over TLS: /hello?x=1");
}
