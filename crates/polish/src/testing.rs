//! A local server that speaks the chat completions API, for tests (feature `testing`).
//!
//! It listens on `127.0.0.1` on a free port, answers each connection on its own thread,
//! records every request, and answers as its [`Reply`] says. Like the real APIs it
//! answers 404 to other paths, 401 without a bearer token and 400 without a model or
//! messages.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How the server answers a well-formed request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The user message back, with `亲，` before it: a polish that keeps every fact.
    Echo,
    /// This text as the answer.
    Content(String),
    /// This status and body.
    Status(u16, String),
    /// A 200 with this body as it is (for malformed answers).
    Raw(String),
    /// Wait, then answer as the inner reply.
    Slow(Duration, Box<Reply>),
    /// A 307 redirect to this URL (which keeps the method and the body).
    Redirect(String),
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `POST`.
    pub method: String,
    /// The path, e.g. `/v1/chat/completions`.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Request {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// The running server; it stops when dropped.
#[derive(Debug)]
pub struct FakeChat {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl FakeChat {
    /// Starts a server that answers with `reply`.
    pub fn start(reply: Reply) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, stopping) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (log, reply) = (log.clone(), reply.clone());
                std::thread::spawn(move || {
                    // A client that gave up (the timeout test) breaks the write; that is
                    // the point of that test, not a failure of the server.
                    let _ = serve(stream, &reply, &log);
                });
            }
        });
        Ok(FakeChat {
            addr,
            requests,
            stop,
        })
    }

    /// The base URL to configure: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for FakeChat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, reply: &Reply, log: &Mutex<Vec<Request>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default().to_owned();
    let path = words.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = h.split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let request = Request {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request.clone());
    let (status, body) = answer(&request, reply);
    let location = match reply {
        Reply::Redirect(to) => format!("location: {to}\r\n"),
        _ => String::new(),
    };
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{location}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

fn error(status: u16, message: &str) -> (u16, String) {
    (
        status,
        json!({"error": {"message": message, "type": "invalid_request_error"}}).to_string(),
    )
}

fn answer(request: &Request, reply: &Reply) -> (u16, String) {
    if request.method != "POST" || !request.path.ends_with("/chat/completions") {
        return error(404, "Not found");
    }
    if !request
        .header("authorization")
        .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7)
    {
        return error(401, "Missing bearer token");
    }
    let body = request.json();
    let model = body.get("model").and_then(Value::as_str);
    let messages = body.get("messages").and_then(Value::as_array);
    let (Some(model), Some(messages)) = (model, messages) else {
        return error(400, "model and messages are required");
    };
    let user = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    respond(model, user, reply)
}

fn respond(model: &str, user: &str, reply: &Reply) -> (u16, String) {
    let content = match reply {
        Reply::Echo if user.starts_with('亲') => user.to_owned(),
        Reply::Echo => format!("亲，{user}"),
        Reply::Content(c) => c.clone(),
        Reply::Status(s, b) => return (*s, b.clone()),
        Reply::Raw(b) => return (200, b.clone()),
        Reply::Redirect(_) => return (307, String::new()),
        Reply::Slow(d, inner) => {
            std::thread::sleep(*d);
            return respond(model, user, inner);
        }
    };
    let body = json!({
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    });
    (200, body.to_string())
}
