//! The keychain every key of the app lives in (the AI polish's, the parcel providers'),
//! and the one way commands ask it.

use crate::commands::{CommandError, CommandResult};
use afterdesk_secret::{Keychain, Secret, SecretError};

/// The keychain the app keeps its keys in: the system's, or an in-memory one when
/// `AFTERDESK_KEYCHAIN=memory` (the end-to-end machines have no Secret Service). Managed
/// state, so that the in-memory one is the same for every command.
#[derive(Debug, Clone, Default)]
pub struct Keys(pub Keychain);

impl From<SecretError> for CommandError {
    fn from(e: SecretError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl Keys {
    /// Runs a call on the secret `account` on a blocking thread: keychain calls block (on
    /// Linux they are D-Bus round trips to the Secret Service, which may even wait for
    /// the user to unlock it), so they never run on the async executor.
    pub async fn call<T: Send + 'static>(
        &self,
        account: &'static str,
        call: impl FnOnce(&Secret) -> Result<T, SecretError> + Send + 'static,
    ) -> CommandResult<T> {
        let secret = self.0.secret(account);
        tokio::task::spawn_blocking(move || call(&secret))
            .await
            // The keychain library panicked (a broken D-Bus answer): the app carries on and
            // says the keychain is not usable, which is what it means for the agent.
            .map_err(|e| {
                CommandError::new(
                    "keychain_unavailable",
                    format!("无法访问系统钥匙串（{account}）：{e}"),
                )
            })?
            .map_err(CommandError::from)
    }
}
