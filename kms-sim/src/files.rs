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

/// Writes `contents` to `path`, 0600.
pub fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    create_private_file(path)?;
    std::fs::write(path, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
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
}
