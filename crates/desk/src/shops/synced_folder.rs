//! Whether a shop file sits in a folder that a sync client (Dropbox, OneDrive, iCloud
//! Drive, 坚果云, 百度网盘同步空间, Syncthing...) copies between computers.
//!
//! A sync client copies the database file while AfterDesk writes it, and separately from
//! its `-wal` log; the copy on the other computer, or a "conflicted copy" written back,
//! is a damaged database. The shop still opens there, with a warning telling the user to
//! move it, until team sync makes sharing the file unnecessary.

use serde::Serialize;
use std::path::Path;

/// A sync client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncClient {
    /// Dropbox.
    Dropbox,
    /// Microsoft OneDrive (personal or a company's, `OneDrive - 公司`).
    #[serde(rename = "onedrive")]
    OneDrive,
    /// Apple iCloud Drive.
    #[serde(rename = "icloud_drive")]
    ICloudDrive,
    /// Google Drive.
    GoogleDrive,
    /// 坚果云 (Nutstore).
    Nutstore,
    /// 百度网盘同步空间.
    BaiduSyncdisk,
    /// Syncthing.
    Syncthing,
    /// Another client behind macOS's `~/Library/CloudStorage`.
    CloudStorage,
}

impl SyncClient {
    /// The client's name as users know it, for the CLI's Chinese warning.
    pub fn name(self) -> &'static str {
        match self {
            SyncClient::Dropbox => "Dropbox",
            SyncClient::OneDrive => "OneDrive",
            SyncClient::ICloudDrive => "iCloud 云盘",
            SyncClient::GoogleDrive => "Google 云端硬盘",
            SyncClient::Nutstore => "坚果云",
            SyncClient::BaiduSyncdisk => "百度网盘同步空间",
            SyncClient::Syncthing => "Syncthing",
            SyncClient::CloudStorage => "云存储",
        }
    }
}

/// A shop file's place inside a synced folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncedFolder {
    /// Which client syncs it.
    pub client: SyncClient,
    /// The synced folder the shop file is in (the client's root, or the folder holding the
    /// client's marker).
    pub folder: String,
    /// The warning in Chinese, for the CLI and logs (the app translates `client`).
    pub message: String,
}

/// Marker files or folders that sync clients keep in the root of what they sync.
const MARKERS: [(&str, SyncClient); 3] = [
    (".stfolder", SyncClient::Syncthing),
    (".dropbox", SyncClient::Dropbox),
    (".dropbox.cache", SyncClient::Dropbox),
];

/// Which client a folder name belongs to, given the folder names before it.
fn client_of(name: &str, before: &[&str]) -> Option<SyncClient> {
    let lower = name.to_lowercase();
    let parent = before.last().map(|p| p.to_lowercase());
    let grandparent = before
        .len()
        .checked_sub(2)
        .and_then(|i| before.get(i))
        .map(|p| p.to_lowercase());
    let under_library = |folder: &str| {
        parent.as_deref() == Some(folder) && grandparent.as_deref() == Some("library")
    };
    // macOS: ~/Library/Mobile Documents is iCloud Drive; ~/Library/CloudStorage/<Client-…>
    // holds the folders of clients built on the File Provider (Dropbox, OneDrive, Google).
    if lower == "mobile documents" && parent.as_deref() == Some("library") {
        return Some(SyncClient::ICloudDrive);
    }
    if under_library("cloudstorage") {
        return Some(
            [
                ("dropbox", SyncClient::Dropbox),
                ("onedrive", SyncClient::OneDrive),
                ("googledrive", SyncClient::GoogleDrive),
                ("icloud", SyncClient::ICloudDrive),
            ]
            .into_iter()
            .find(|(prefix, _)| lower.starts_with(prefix))
            .map_or(SyncClient::CloudStorage, |(_, client)| client),
        );
    }
    match lower.as_str() {
        "dropbox" => return Some(SyncClient::Dropbox),
        "onedrive" => return Some(SyncClient::OneDrive),
        "icloud drive" | "iclouddrive" => return Some(SyncClient::ICloudDrive),
        "google drive" | "googledrive" | "我的云端硬盘" => {
            return Some(SyncClient::GoogleDrive);
        }
        "nutstore" | "nutstore files" | "坚果云" | "我的坚果云" => {
            return Some(SyncClient::Nutstore);
        }
        "baidusyncdisk" | "百度网盘同步空间" | "百度网盘同步盘" => {
            return Some(SyncClient::BaiduSyncdisk);
        }
        _ => {}
    }
    // "Dropbox (Personal)", "Dropbox (公司)"; "OneDrive - 公司", "OneDrive - Contoso".
    if lower.starts_with("dropbox (") {
        Some(SyncClient::Dropbox)
    } else if lower.starts_with("onedrive - ") {
        Some(SyncClient::OneDrive)
    } else {
        None
    }
}

/// Splits a path into its folder names, on `/` and `\` alike, so that Windows paths are
/// recognised on any system.
fn folders(text: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = text.split(['/', '\\']).collect();
    // The last part is the shop file's own name.
    parts.pop();
    parts
}

/// The synced folder `db` sits in, judged from its folder names alone.
pub fn synced_folder_by_name(db: &Path) -> Option<SyncedFolder> {
    let text = db.to_string_lossy();
    let parts = folders(&text);
    parts.iter().enumerate().find_map(|(i, name)| {
        let client = client_of(name, &parts[..i])?;
        Some(found(db, client, parts[..=i].join(separator(&text))))
    })
}

/// The synced folder `db` sits in, from its folder names or from a sync client's marker
/// in the folder holding it or any folder above; `has_marker` tells whether a path exists
/// (the file system in the app, a set of paths in tests).
pub fn synced_folder(db: &Path, has_marker: impl Fn(&Path) -> bool) -> Option<SyncedFolder> {
    if let Some(found) = synced_folder_by_name(db) {
        return Some(found);
    }
    let parent = db.parent()?;
    parent.ancestors().find_map(|dir| {
        MARKERS.iter().find_map(|(marker, client)| {
            has_marker(&dir.join(marker)).then(|| found(db, *client, dir.display().to_string()))
        })
    })
}

/// The synced folder `db` sits in, looking for markers on disk.
pub fn synced_folder_on_disk(db: &Path) -> Option<SyncedFolder> {
    synced_folder(db, |p| p.exists())
}

fn separator(text: &str) -> &'static str {
    if text.contains('\\') && !text.contains('/') {
        "\\"
    } else {
        "/"
    }
}

fn found(db: &Path, client: SyncClient, folder: String) -> SyncedFolder {
    let message = format!(
        "店铺文件 {} 在 {} 的同步文件夹（{folder}）里。同步软件会在售后台写入时复制或覆盖数据库文件，导致数据损坏或丢失：请关闭售后台，把店铺文件连同旁边的 backups、evidence 文件夹移到同步文件夹以外，再打开它。多人共用店铺的团队同步功能即将推出，在此之前请不要用同步文件夹共享店铺文件。",
        db.display(),
        client.name()
    );
    SyncedFolder {
        client,
        folder,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::path::PathBuf;

    #[rstest]
    #[case::windows_onedrive(r"C:\Users\小王\OneDrive\店铺\shop.sqlite", Some((SyncClient::OneDrive, r"C:\Users\小王\OneDrive")))]
    #[case::windows_onedrive_company(r"C:\Users\me\OneDrive - 杭州某某贸易有限公司\shop.sqlite", Some((SyncClient::OneDrive, r"C:\Users\me\OneDrive - 杭州某某贸易有限公司")))]
    #[case::windows_dropbox(r"D:\Dropbox\shop.sqlite", Some((SyncClient::Dropbox, r"D:\Dropbox")))]
    #[case::dropbox_team(r"C:\Users\me\Dropbox (公司)\售后\shop.sqlite", Some((SyncClient::Dropbox, r"C:\Users\me\Dropbox (公司)")))]
    #[case::windows_icloud(r"C:\Users\me\iCloudDrive\shop.sqlite", Some((SyncClient::ICloudDrive, r"C:\Users\me\iCloudDrive")))]
    #[case::windows_nutstore(r"C:\Users\me\Nutstore\shop.sqlite", Some((SyncClient::Nutstore, r"C:\Users\me\Nutstore")))]
    #[case::nutstore_chinese("/Users/me/坚果云/shop.sqlite", Some((SyncClient::Nutstore, "/Users/me/坚果云")))]
    #[case::mac_nutstore_files("/Users/me/Nutstore Files/我的坚果云/shop.sqlite", Some((SyncClient::Nutstore, "/Users/me/Nutstore Files")))]
    #[case::baidu(r"E:\BaiduSyncdisk\店铺\shop.sqlite", Some((SyncClient::BaiduSyncdisk, r"E:\BaiduSyncdisk")))]
    #[case::baidu_chinese(r"C:\百度网盘同步空间\shop.sqlite", Some((SyncClient::BaiduSyncdisk, r"C:\百度网盘同步空间")))]
    #[case::mac_icloud("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/shop.sqlite", Some((SyncClient::ICloudDrive, "/Users/me/Library/Mobile Documents")))]
    #[case::mac_cloudstorage_onedrive("/Users/me/Library/CloudStorage/OneDrive-个人/shop.sqlite", Some((SyncClient::OneDrive, "/Users/me/Library/CloudStorage/OneDrive-个人")))]
    #[case::mac_cloudstorage_dropbox("/Users/me/Library/CloudStorage/Dropbox/shop.sqlite", Some((SyncClient::Dropbox, "/Users/me/Library/CloudStorage/Dropbox")))]
    #[case::mac_cloudstorage_google("/Users/me/Library/CloudStorage/GoogleDrive-me@example.com/My Drive/shop.sqlite", Some((SyncClient::GoogleDrive, "/Users/me/Library/CloudStorage/GoogleDrive-me@example.com")))]
    #[case::mac_cloudstorage_other("/Users/me/Library/CloudStorage/Box-Box/shop.sqlite", Some((SyncClient::CloudStorage, "/Users/me/Library/CloudStorage/Box-Box")))]
    #[case::case_insensitive("/home/me/dropbox/shop.sqlite", Some((SyncClient::Dropbox, "/home/me/dropbox")))]
    #[case::mac_app_support(
        "/Users/me/Library/Application Support/AfterDesk/shops/default.sqlite",
        None
    )]
    #[case::windows_appdata(r"C:\Users\me\AppData\Roaming\AfterDesk\shops\default.sqlite", None)]
    #[case::linux_default("/home/me/.local/share/AfterDesk/shops/default.sqlite", None)]
    #[case::file_named_like_a_client("/home/me/shops/Dropbox.sqlite", None)]
    #[case::name_that_only_starts_alike("/home/me/OneDriveBackup/shop.sqlite", None)]
    #[case::documents_not_icloud("/Users/me/Documents/Mobile Documents/shop.sqlite", None)]
    fn folder_names_tell_a_synced_folder(
        #[case] db: &str,
        #[case] want: Option<(SyncClient, &str)>,
    ) {
        let got = synced_folder_by_name(Path::new(db));
        assert_eq!(
            got.as_ref().map(|f| (f.client, f.folder.as_str())),
            want,
            "a shop file at {db} is in a synced folder exactly when its folders say so"
        );
        if let Some(found) = got {
            assert!(
                found.message.contains("移到同步文件夹以外") && found.message.contains("团队同步"),
                "the warning says to move the file and that team sync is coming: {}",
                found.message
            );
        }
    }

    #[rstest]
    #[case::syncthing_in_an_ancestor("/home/me/sync/.stfolder", Some((SyncClient::Syncthing, "/home/me/sync")))]
    #[case::syncthing_beside("/home/me/sync/shops/.stfolder", Some((SyncClient::Syncthing, "/home/me/sync/shops")))]
    #[case::dropbox_marker("/home/me/.dropbox", Some((SyncClient::Dropbox, "/home/me")))]
    #[case::marker_below_is_not_ours("/home/me/sync/shops/other/.stfolder", None)]
    #[case::no_marker("/home/me/unrelated", None)]
    fn markers_in_any_folder_above_tell_a_synced_folder(
        #[case] marker: &str,
        #[case] want: Option<(SyncClient, &str)>,
    ) {
        let db = Path::new("/home/me/sync/shops/shop.sqlite");
        let got = synced_folder(db, |p| p == Path::new(marker));
        assert_eq!(
            got.as_ref().map(|f| (f.client, f.folder.as_str())),
            want,
            "a marker at {marker} decides whether {} is synced",
            db.display()
        );
    }

    #[test]
    fn the_file_system_probe_finds_a_real_marker() {
        let dir = tempfile::tempdir().unwrap();
        let shops: PathBuf = dir.path().join("shared").join("shops");
        std::fs::create_dir_all(&shops).unwrap();
        let db = shops.join("shop.sqlite");
        assert_eq!(synced_folder_on_disk(&db), None, "no marker yet");
        std::fs::create_dir_all(dir.path().join("shared").join(".stfolder")).unwrap();
        assert_eq!(
            synced_folder_on_disk(&db).map(|f| f.client),
            Some(SyncClient::Syncthing),
            "Syncthing's folder marker is found on disk"
        );
    }
}
