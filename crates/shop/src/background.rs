//! The background work an app runs on an open shop: the reminder tick and the parcel
//! refresh. Each is a plain function; the front end owns the timer (its cadence is the
//! constants here) and shows what comes back, so the decisions are made and tested once.

use crate::{Shop, ShopError, Work};
use afterdesk_desk::{RefreshReportView, RefreshScope, Reminder, due_reminders, due_today};
use afterdesk_parcel::RefreshProgress;
use afterdesk_secret::Secret;
use chrono::{DateTime, Utc};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often the reminder tick looks at the clocks.
///
/// A minute is the finest lead time anyone sets (30 minutes by default), and evaluating
/// every clock of 100,000 open cases takes well under a second, so a tick costs nothing
/// noticeable.
pub const REMINDER_TICK: Duration = Duration::from_secs(60);

/// How long after start the first reminder tick waits, so that start-up work (the window,
/// the first queries, the day's backup) goes first.
pub const REMINDER_FIRST_TICK: Duration = Duration::from_secs(5);

/// How often the background refresh looks at open cases' parcels. 快递100 answers a
/// waybill at most once per 30 minutes, and parcels rarely move faster than that.
pub const AUTO_REFRESH_EVERY: Duration = Duration::from_secs(30 * 60);

/// How long after start the first background refresh waits, so that opening the app
/// never competes with the first refresh for the shop.
pub const AUTO_REFRESH_FIRST_DELAY: Duration = Duration::from_secs(60);

/// What one reminder tick found.
#[derive(Debug, Default)]
pub struct ReminderTick {
    /// Notifications to show now, most urgent first; already recorded as shown.
    pub show: Vec<Reminder>,
    /// The open cases with a deadline today (for the tray).
    pub due_today: usize,
}

impl Shop {
    /// One look at the clocks: what to show now (recorded as shown, so it rings once even
    /// if the system refuses to show it: retrying every minute would not make it show, and
    /// the case list and workbench still show the deadline), and today's due count.
    ///
    /// The demo shop's made-up deadlines never ring on the agent's desktop.
    pub fn reminder_tick(&self, now: DateTime<Utc>) -> Result<ReminderTick, ShopError> {
        if self.is_demo() {
            return Ok(ReminderTick::default());
        }
        let Some(clockwork) = self.clockwork() else {
            return Ok(ReminderTick::default());
        };
        self.with_store(|store| {
            let cases = self.open_cases(store)?;
            let shown = store.shown_reminders()?;
            let leads = afterdesk_desk::shop_settings(store)?.reminder_leads_minutes;
            let found = due_reminders(&clockwork, &cases, &shown, &leads, now);
            store.record_reminders(&found.record, now)?;
            Ok(ReminderTick {
                show: found.show,
                due_today: due_today(&clockwork, &cases, now),
            })
        })
    }

    /// Whether the background refresh should run now: a real shop whose tracking settings
    /// chose a provider and left automatic refresh on.
    pub fn auto_refresh_wanted(&self) -> bool {
        !self.is_demo()
            && afterdesk_desk::load_tracking_settings(&self.db_path())
                .is_ok_and(|s| s.auto_refresh && s.provider != "manual")
    }

    /// Refreshes the parcels of `scope` through the shop's provider, with progress.
    ///
    /// The shop is never held while the queries wait on the network: the parcels to ask
    /// about are read under the lock, the queries run without it, and the answers are
    /// written under it again, so the rest of the app keeps working during a long refresh.
    /// One refresh runs at a time; a second answers `busy`.
    pub async fn refresh_parcels(
        &self,
        scope: RefreshScope,
        progress: &mut (dyn FnMut(RefreshProgress) + Send),
        now: &(dyn Fn() -> DateTime<Utc> + Sync),
    ) -> Result<RefreshReportView, ShopError> {
        if self.inner.refreshing.swap(true, Ordering::SeqCst) {
            return Err(ShopError::Busy(Work::Refresh));
        }
        struct Running<'a>(&'a Shop);
        impl Drop for Running<'_> {
            fn drop(&mut self) {
                self.0.inner.refreshing.store(false, Ordering::SeqCst);
            }
        }
        let _running = Running(self);
        self.inner.cancel_refresh.store(false, Ordering::SeqCst);
        let settings = afterdesk_desk::load_tracking_settings(&self.db_path())?;
        let key = match settings.key_account() {
            Some(account) => self.on_keychain(account, Secret::find).await?,
            None => None,
        };
        let (tracker, policy) = afterdesk_desk::refresh_setup(&settings, key, &scope)?;
        let targets = self.with_store(|store| {
            Ok::<_, ShopError>(afterdesk_desk::refresh_targets(store, &scope)?)
        })?;
        let results = afterdesk_parcel::refresh(
            tracker.as_ref(),
            targets,
            &policy,
            now,
            progress,
            &self.inner.cancel_refresh,
        )
        .await;
        self.with_store(|store| {
            Ok::<_, ShopError>(afterdesk_desk::apply_refresh(
                store,
                tracker.as_ref(),
                &results,
                now(),
            )?)
        })
    }

    /// One round of the background refresh, when [`Shop::auto_refresh_wanted`]. A refresh
    /// already running is not an error; any other failure (offline, a missing key) is
    /// returned for the log, and the parcels keep their last known state.
    pub async fn auto_refresh(
        &self,
        now: &(dyn Fn() -> DateTime<Utc> + Sync),
    ) -> Result<(), ShopError> {
        if !self.auto_refresh_wanted() {
            return Ok(());
        }
        match self
            .refresh_parcels(RefreshScope::All, &mut |_| {}, now)
            .await
        {
            Ok(_) | Err(ShopError::Busy(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
