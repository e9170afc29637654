//! `afterdesk polish` against a local server that speaks the chat completions API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_polish::testing::{FakeChat, Reply};
use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-11-20T09:00:00+08:00";
const CASE: &str = "2938475610000000013";
const KEY: &str = "sk-cli-test-42";

struct Shop {
    dir: tempfile::TempDir,
}

impl Shop {
    /// A shop with generated refunds and their orders (which carry addresses).
    fn new() -> Shop {
        let shop = Shop {
            dir: tempfile::tempdir().unwrap(),
        };
        for (name, kind) in [("r.csv", "refunds"), ("o.csv", "orders")] {
            let path = shop.dir.path().join(name);
            shop.cmd()
                .args(["gen-export", "--rows", "5", "--kind", kind, "--out"])
                .arg(&path)
                .assert()
                .success();
            shop.cmd().arg("import").arg(&path).assert().success();
        }
        shop
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("afterdesk").unwrap();
        cmd.env("AFTERDESK_DEVICE", "test-device")
            .env("AFTERDESK_KEYCHAIN", "memory")
            .env_remove("AFTERDESK_DB")
            .env_remove("AFTERDESK_POLISH_URL")
            .env_remove("AFTERDESK_POLISH_MODEL")
            .env_remove("AFTERDESK_POLISH_KEY")
            .arg("--db")
            .arg(self.dir.path().join("shop.sqlite"))
            .args(["--now", NOW]);
        cmd
    }

    fn polish(&self, server: &FakeChat, args: &[&str]) -> std::process::Output {
        self.cmd()
            .env("AFTERDESK_POLISH_URL", server.base_url())
            .env("AFTERDESK_POLISH_MODEL", "deepseek-chat")
            .env("AFTERDESK_POLISH_KEY", KEY)
            .args(["--json", "polish", "--case", CASE])
            .args(args)
            .output()
            .unwrap()
    }
}

fn stdout_json(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "afterdesk polish failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn polishes_the_cases_draft_without_sending_the_buyers_data() {
    let shop = Shop::new();
    let shown: Value = serde_json::from_slice(
        &shop
            .cmd()
            .args(["--json", "case", "show", CASE])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    // The case JSON leaves the address out; the fixtures give this order this one.
    let address = "浙江省杭州市西湖区文三路2号";
    // The nickname matches no pattern: only the case's own data removes it.
    let nick = shown["case"]["buyer_nick"].as_str().unwrap().to_owned();
    assert!(nick.starts_with("tb_"), "{shown}");

    let server = FakeChat::start(Reply::Echo).unwrap();
    // The composed draft, then a text the agent edited that quotes the buyer's data.
    let doc = stdout_json(&shop.polish(&server, &[]));
    assert!(doc["text"].as_str().unwrap().starts_with('亲'), "{doc}");
    assert!(
        doc["warnings"].is_array() && doc["redacted"]["text"].is_string(),
        "{doc}"
    );

    let edited = format!("{nick}您好，已按{address}寄出，有问题请打13912345678联系我们");
    let doc = stdout_json(&shop.polish(&server, &["--text", &edited]));
    let text = doc["text"].as_str().unwrap();
    assert!(
        text.contains("〔电话〕") && text.contains("〔地址〕") && text.contains("〔姓名〕"),
        "the markers reach the agent: {text}"
    );
    assert_eq!(doc["warnings"][0]["code"], "markers_left", "{doc}");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(r.json()["model"], "deepseek-chat");
        for leak in [address, nick.as_str(), "13912345678", "文三路"] {
            assert!(
                !r.body.contains(leak),
                "“{leak}” left the machine: {}",
                r.body
            );
        }
    }
}

#[test]
fn endpoint_errors_come_out_as_coded_json() {
    let shop = Shop::new();
    let server = FakeChat::start(Reply::Status(
        401,
        r#"{"error":{"message":"invalid api key"}}"#.into(),
    ))
    .unwrap();
    let out = shop.polish(&server, &[]);
    assert!(!out.status.success(), "a refused key fails the command");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "polish_unauthorized", "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("密钥"),
        "{err}"
    );
}

#[test]
fn without_a_key_nothing_is_sent() {
    let shop = Shop::new();
    let server = FakeChat::start(Reply::Echo).unwrap();
    let out = shop
        .cmd()
        .env("AFTERDESK_POLISH_URL", server.base_url())
        .env("AFTERDESK_POLISH_MODEL", "m")
        .args(["--json", "polish", "--case", CASE])
        .output()
        .unwrap();
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "polish_no_key", "{err}");
    assert!(
        server.requests().is_empty(),
        "nothing may be sent without a key"
    );
}

#[test]
fn the_key_is_read_from_stdin_and_never_echoed() {
    let shop = Shop::new();
    let out = shop
        .cmd()
        .args(["--json", "polish", "key", "set"])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    let doc = stdout_json(&out);
    assert_eq!(doc["key"], "saved");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(KEY), "the key must never be printed: {all}");

    let out = shop
        .cmd()
        .args(["--json", "polish", "key", "set"])
        .write_stdin("\n")
        .output()
        .unwrap();
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "secret_empty", "{err}");

    // Each process has its own in-memory keychain, so there is nothing to delete.
    let doc = stdout_json(
        &shop
            .cmd()
            .args(["--json", "polish", "key", "delete"])
            .output()
            .unwrap(),
    );
    assert_eq!(doc["key"], "absent");
}

#[test]
fn the_environment_key_is_used_without_asking_the_keychain() {
    let shop = Shop::new();
    let server = FakeChat::start(Reply::Echo).unwrap();
    // No AFTERDESK_KEYCHAIN=memory: the system keychain, which this machine may not have
    // (no Secret Service). With the variable set it must not be asked at all.
    let out = shop
        .cmd()
        .env_remove("AFTERDESK_KEYCHAIN")
        .env("AFTERDESK_POLISH_URL", server.base_url())
        .env("AFTERDESK_POLISH_MODEL", "deepseek-chat")
        .env("AFTERDESK_POLISH_KEY", " sk-from-env-7\n")
        .args([
            "--json",
            "polish",
            "--text",
            "亲，您的包裹已经发出，请留意查收。",
        ])
        .output()
        .unwrap();
    let doc = stdout_json(&out);
    assert!(doc["text"].is_string(), "{doc}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sk-from-env-7"),
        "the variable's key, trimmed, is the bearer token"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("sk-from-env-7"),
        "the key is never printed: {all}"
    );
}

#[test]
fn plain_http_to_another_computer_is_refused_before_anything_is_sent() {
    let shop = Shop::new();
    let out = shop
        .cmd()
        .env("AFTERDESK_POLISH_URL", "http://api.deepseek.com/v1")
        .env("AFTERDESK_POLISH_MODEL", "deepseek-chat")
        .env("AFTERDESK_POLISH_KEY", KEY)
        .args(["--json", "polish", "--text", "亲，您好"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "an insecure endpoint fails the command"
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "polish_insecure_url", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("https://"),
        "{err}"
    );
}
