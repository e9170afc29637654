//! `afterdesk polish`: a draft's tone rewritten by the shop's OpenAI-compatible endpoint,
//! with the buyer's personal data removed first; `afterdesk polish key set|delete` keeps
//! the endpoint's key in the system keychain (docs/drafts.md, "AI 润色（可选）").

use crate::terminal::say;
use crate::{Context_, print_json};
use afterdesk_polish::{KnownPii, PolishError, PolishSettings, Polisher};
use afterdesk_script::{Classifier, DraftRequest, Ladder, Library, compose};
use afterdesk_secret::{Keychain, account};
use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::json;
use std::io::{BufRead, IsTerminal};

/// The environment variable that gives the CLI the endpoint's key, as other command-line
/// tools take `OPENAI_API_KEY`: for scripts and tests, and machines without a keychain.
/// Only the CLI reads it; the app always uses the keychain.
pub const POLISH_KEY_ENV: &str = "AFTERDESK_POLISH_KEY";

/// The key a polish uses: [`POLISH_KEY_ENV`] when it holds one (the keychain is then not
/// asked at all, so a locked or missing keychain does not stop a script), otherwise the
/// keychain's. A blank variable counts as unset.
fn polish_key(
    from_env: Option<String>,
    secret: &afterdesk_secret::Secret,
) -> Result<Option<String>, afterdesk_secret::SecretError> {
    match from_env.map(|k| k.trim().to_owned()) {
        Some(k) if !k.is_empty() => Ok(Some(k)),
        _ => secret.find(),
    }
}

/// `polish` arguments.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PolishArgs {
    /// 管理 API 密钥。
    #[command(subcommand)]
    pub command: Option<PolishCommand>,
    /// 售后单 ID、退款编号或订单号：按 `afterdesk draft` 生成草稿，并从单据中取买家信息去除。
    #[arg(long)]
    pub case: Option<String>,
    /// 买家最新的一条消息（同 `afterdesk draft`）。
    #[arg(long)]
    pub message: Option<String>,
    /// 要润色的文字（代替生成的草稿，例如客服改过的稿子）。
    #[arg(long)]
    pub text: Option<String>,
    /// 接口地址（OpenAI 兼容，例如 https://api.deepseek.com/v1）。
    #[arg(long, env = "AFTERDESK_POLISH_URL")]
    pub url: Option<String>,
    /// 模型名称。
    #[arg(long, env = "AFTERDESK_POLISH_MODEL")]
    pub model: Option<String>,
    /// 等待回答的秒数。
    #[arg(long, env = "AFTERDESK_POLISH_TIMEOUT", default_value_t = afterdesk_polish::DEFAULT_TIMEOUT_SECS)]
    pub timeout: u32,
    /// 采样温度（默认不发送，用接口自己的默认值）。
    #[arg(long)]
    pub temperature: Option<f32>,
}

/// `polish key` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolishCommand {
    /// API 密钥（保存在系统钥匙串，不进数据库）。
    Key {
        /// 子命令。
        #[command(subcommand)]
        command: KeyCommand,
    },
}

/// `polish key set|delete`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// 从标准输入读取密钥（不回显）并存入系统钥匙串。
    Set,
    /// 从系统钥匙串删除密钥。
    Delete,
}

/// `afterdesk polish …`.
pub fn run(ctx: &Context_, args: &PolishArgs) -> anyhow::Result<()> {
    // AFTERDESK_KEYCHAIN=memory keeps scripts and tests away from the real keychain.
    let secret = Keychain::from_env().secret(account::POLISH_API_KEY);
    match &args.command {
        Some(PolishCommand::Key {
            command: KeyCommand::Set,
        }) => {
            let key = read_key()?;
            secret.set(&key)?;
            report(ctx, "saved", "API 密钥已存入系统钥匙串")
        }
        Some(PolishCommand::Key {
            command: KeyCommand::Delete,
        }) => {
            let (status, text) = if secret.delete()? {
                ("deleted", "API 密钥已从系统钥匙串删除")
            } else {
                ("absent", "系统钥匙串里本来就没有 API 密钥")
            };
            report(ctx, status, text)
        }
        None => polish(ctx, args, &secret),
    }
}

fn report(ctx: &Context_, status: &str, text: &str) -> anyhow::Result<()> {
    if ctx.json {
        print_json(&json!({ "key": status }))
    } else {
        say!("{text}");
        Ok(())
    }
}

/// The key from the terminal without echo, or the first line of piped input.
fn read_key() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("API 密钥（输入时不显示）：").context("无法读取密钥");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("无法从标准输入读取密钥")?;
    Ok(line)
}

fn polish(
    ctx: &Context_,
    args: &PolishArgs,
    secret: &afterdesk_secret::Secret,
) -> anyhow::Result<()> {
    let (draft, known) = draft_and_known(ctx, args)?;
    let settings = PolishSettings {
        // Running the command is the agent's explicit choice; the app's switch lives in
        // the shop's settings.
        enabled: true,
        base_url: args.url.clone().unwrap_or_default(),
        model: args.model.clone().unwrap_or_default(),
        timeout_secs: args.timeout,
        temperature: args.temperature,
    };
    let key = polish_key(std::env::var(POLISH_KEY_ENV).ok(), secret)?;
    let polisher = Polisher::new(&settings, key.as_deref())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动网络运行时")?;
    let polished = runtime.block_on(polisher.polish(&draft, &known))?;
    if ctx.json {
        return print_json(&json!({
            "text": polished.text,
            "redacted": polished.redacted,
            "warnings": polished.warnings,
        }));
    }
    say!("{}", polished.text);
    say!("——");
    let removed: Vec<String> = polished
        .redacted
        .removed
        .iter()
        .map(|(kind, n)| format!("{} {n} 处", kind.zh_name()))
        .collect();
    if !removed.is_empty() {
        say!("发送前已去除：{}", removed.join("、"));
    }
    for w in &polished.warnings {
        say!("注意：{}", w.message());
    }
    Ok(())
}

/// The text to polish (the given one, or the draft `afterdesk draft` would give) and the
/// buyer's data the case knows.
fn draft_and_known(ctx: &Context_, args: &PolishArgs) -> anyhow::Result<(String, KnownPii)> {
    let Some(case) = &args.case else {
        return match &args.text {
            Some(text) => Ok((text.clone(), KnownPii::default())),
            None => Err(PolishError::Empty)
                .context("请用 --case 指定售后单，或用 --text 给出要润色的文字"),
        };
    };
    let shop = ctx.open()?;
    let store = shop.store_waiting()?;
    let detail = store.case_detail(case)?;
    // The same buyer data the app removes (afterdesk-desk), so both send the same text.
    let known = afterdesk_desk::known_pii(&detail);
    let text = match &args.text {
        Some(text) => text.clone(),
        None => {
            let mut req = DraftRequest::new(&detail.case, ctx.now);
            req.message = args.message.as_deref();
            compose(
                &Library::builtin()?,
                &Classifier::builtin()?,
                &Ladder::default(),
                &req,
            )
            .text
        }
    };
    Ok((text, known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_key_wins_over_the_keychain_and_a_blank_one_does_not() {
        let keychain = Keychain::memory();
        let secret = keychain.secret(account::POLISH_API_KEY);
        let cases: [(Option<&str>, Option<&str>, Option<&str>); 5] = [
            (Some("sk-env"), Some("sk-chain"), Some("sk-env")),
            (Some(" sk-env\n"), None, Some("sk-env")),
            (Some("  "), Some("sk-chain"), Some("sk-chain")),
            (None, Some("sk-chain"), Some("sk-chain")),
            (None, None, None),
        ];
        for (env, stored, want) in cases {
            match stored {
                Some(k) => secret.set(k).map_err(|e| e.to_string()),
                None => secret.delete().map(|_| ()).map_err(|e| e.to_string()),
            }
            .unwrap_or_else(|e| panic!("memory keychain: {e}"));
            let got = polish_key(env.map(str::to_owned), &secret).map_err(|e| e.to_string());
            assert_eq!(
                got,
                Ok(want.map(str::to_owned)),
                "{POLISH_KEY_ENV}={env:?} with {stored:?} in the keychain: the variable wins when it holds a key"
            );
        }
    }
}
