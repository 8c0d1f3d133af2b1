//! Files that hold state or keys, readable by their owner only: directories are made 0700 and
//! files 0600 (on Unix), whatever the umask. SQLite gives its -wal and -shm files the database
//! file's permissions, so a database file made here keeps them too.

use std::io;
use std::path::Path;

/// Creates `dir` and the parents it needs; the directories it creates are 0700.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` empty and 0600 unless it exists, so that what is written into it later (a
/// database) is private from the start.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(|_| ())
}

/// Writes `contents` to `path`, 0600. The contents go to a new file beside it first, made 0600
/// before anything is written, which then replaces `path`: a file already there with looser
/// permissions never holds them, and a symbolic link already there is replaced, not followed.
pub fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut staged = name.to_os_string();
    staged.push(format!(
        ".{}.new",
        crate::config::random_chars(crate::config::BASE32, 12)
    ));
    let staged = path.with_file_name(staged);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&staged).and_then(|mut f| {
        f.write_all(contents.as_bytes())?;
        f.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&staged, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            Err(e)
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_the_owners_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data/kms-sim");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("data")), 0o700);
        let db = dir.join("state.db");
        create_private_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        write_private(&dir.join("key.pem"), "secret").unwrap();
        assert_eq!(mode(&dir.join("key.pem")), 0o600);
        // An existing file keeps what it holds.
        std::fs::write(&db, "kept").unwrap();
        create_private_file(&db).unwrap();
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "kept");
    }

    #[test]
    fn a_private_file_replaces_a_looser_file_or_a_link_without_following_it() {
        let root = tempfile::tempdir().unwrap();
        let loose = root.path().join("credentials");
        std::fs::write(&loose, "old").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&loose, "secret").unwrap();
        assert_eq!(mode(&loose), 0o600);
        assert_eq!(std::fs::read_to_string(&loose).unwrap(), "secret");
        // Someone else's link where the file goes: the link is replaced, its target untouched.
        let target = root.path().join("elsewhere");
        std::fs::write(&target, "theirs").unwrap();
        let link = root.path().join("keys");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_private(&link, "secret").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
        assert!(!std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(mode(&link), 0o600);
        // Nothing staged is left behind.
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }
}
