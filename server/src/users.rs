//! Users in SQLite with argon2 password hashes; implements the app's `UserDirectory` port.

use crate::throttle::{account_key, client_key, SignInThrottle};
use app::domain::user::{Role, Secret, UserInfo, UserSource};
use app::error::AppError;
use app::ssr::UserDirectory;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use sqlx::SqlitePool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;

/// Password checks that run at once: each takes argon2's 19 MiB and a core for a while, so a
/// burst of sign-ins waits its turn instead of exhausting memory.
pub const CONCURRENT_PASSWORD_CHECKS: usize = 4;

pub struct SqliteUsers {
    pool: SqlitePool,
    throttle: Arc<SignInThrottle>,
    /// Verified against when the user does not exist, so both cases take the same time.
    dummy_hash: String,
    checks: Semaphore,
    checked: AtomicU64,
    /// Users as last read, so a signed-in page does not wait on SQLite; every change to a user
    /// goes through this type and drops its entry, so a change takes effect at once.
    cache: std::sync::Mutex<UserCache>,
}

#[derive(Default)]
struct UserCache {
    users: std::collections::HashMap<String, Option<UserInfo>>,
    /// Moves on every change to a user. A read that began before a change is not cached, or a
    /// request racing a role change could keep the old session epoch in memory for good.
    generation: u64,
}

/// Users (or names known not to be users) kept in memory at most.
const USERS_IN_MEMORY: usize = 10_000;

fn internal(e: impl std::fmt::Display) -> AppError {
    app::ssr::guard::internal(e)
}

pub async fn hash_password(password: &Secret) -> Result<String, AppError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(internal)?
    .map_err(internal)
}

async fn verify_password(password: &Secret, hash: &str) -> bool {
    let password = password.clone();
    let hash = hash.to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// What happened on first start, for the terminal.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminBootstrap {
    AlreadyHasUsers,
    CreatedWithGivenPassword,
    CreatedWithGeneratedPassword(Secret),
}

impl SqliteUsers {
    /// Passwords checked with argon2 since the start (sign-ins that reached the check).
    pub fn password_checks(&self) -> u64 {
        self.checked.load(Ordering::Relaxed)
    }

    pub async fn new(pool: SqlitePool, throttle: Arc<SignInThrottle>) -> Result<Self, AppError> {
        let dummy_hash = hash_password(&Secret::new("not-a-real-password")).await?;
        Ok(SqliteUsers {
            pool,
            throttle,
            dummy_hash,
            checks: Semaphore::new(CONCURRENT_PASSWORD_CHECKS),
            checked: AtomicU64::new(0),
            cache: Default::default(),
        })
    }

    /// Creates `admin` (operator) when there are no users at all.
    pub async fn bootstrap_admin(&self, given: Option<Secret>) -> Result<AdminBootstrap, AppError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(internal)?;
        if count > 0 {
            return Ok(AdminBootstrap::AlreadyHasUsers);
        }
        let (password, outcome) = match given {
            Some(p) => {
                app::domain::user::validate_new_password(&p)
                    .map_err(|m| AppError::invalid("CKS_ADMIN_PASSWORD", m))?;
                (p, AdminBootstrap::CreatedWithGivenPassword)
            }
            None => {
                let p = generate_password();
                (p.clone(), AdminBootstrap::CreatedWithGeneratedPassword(p))
            }
        };
        self.add("admin", &password, Role::Operator).await?;
        if matches!(outcome, AdminBootstrap::CreatedWithGeneratedPassword(_)) {
            // A password printed to a terminal is a one-time password: changed at first sign-in.
            let change =
                sqlx::query("UPDATE users SET must_change_password = 1 WHERE username = 'admin'");
            self.write("admin", change).await?;
        }
        Ok(outcome)
    }
}

impl SqliteUsers {
    /// The console user name of the provider's `subject`, if they signed in before.
    async fn federated_name(&self, subject: &str) -> Result<Option<String>, AppError> {
        sqlx::query_scalar("SELECT username FROM users WHERE source = 'federated' AND subject = ?")
            .bind(subject)
            .fetch_optional(&self.pool)
            .await
            .map_err(internal)
    }

    /// A federated user's first sign-in: the provider's name when it is a valid user name no one
    /// has, or else one made from the subject. Returns the name given.
    async fn add_federated(
        &self,
        subject: &str,
        name: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<String, AppError> {
        let mut names = Vec::new();
        if app::domain::user::validate_username(name).is_ok() {
            names.push(name.to_string());
        }
        names.push(fallback_name(subject));
        for username in names {
            let result = sqlx::query(
                "INSERT INTO users (username, password_hash, role, created_at, source, subject, \
                 last_sign_in_ms) VALUES (?, ?, ?, ?, 'federated', ?, ?)",
            )
            .bind(&username)
            .bind(NO_LOCAL_PASSWORD)
            .bind(role.as_str())
            .bind(now_ms / 1000)
            .bind(subject)
            .bind(now_ms)
            .execute(&self.pool)
            .await;
            self.forget(&username);
            match result {
                Ok(_) => return Ok(username),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    // The same user signing in twice at once: the other sign-in made the row.
                    if let Some(made) = self.federated_name(subject).await? {
                        return Ok(made);
                    }
                }
                Err(e) => return Err(internal(e)),
            }
        }
        Err(AppError::Conflict(format!(
            "The identity provider's user {name} cannot be given a console user name: it and {} are taken.",
            fallback_name(subject)
        )))
    }
}

fn generate_password() -> Secret {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The columns a user is read from, in [`UserRow`]'s order.
const USER_COLUMNS: &str =
    "username, role, must_change_password, session_epoch, source, last_sign_in_ms";

type UserRow = (String, String, bool, i64, String, Option<i64>);

fn row_to_user(
    (username, role, must_change_password, session_epoch, source, last_sign_in_ms): UserRow,
) -> Result<UserInfo, AppError> {
    let role =
        Role::parse(&role).ok_or_else(|| internal(format!("unknown role {role:?} in database")))?;
    let source = UserSource::parse(&source)
        .ok_or_else(|| internal(format!("unknown user source {source:?} in database")))?;
    Ok(UserInfo {
        username,
        role,
        must_change_password,
        session_epoch,
        source,
        last_sign_in_ms,
    })
}

/// No password matches it (it is no PHC string): the password hash of a federated user.
const NO_LOCAL_PASSWORD: &str = "!federated";

/// The name a federated user gets when the provider's is not a valid console user name or is
/// taken: `oidc-` and the subject's letters and digits.
fn fallback_name(subject: &str) -> String {
    let kept: String = subject
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .take(59)
        .collect();
    format!("oidc-{kept}")
}

impl SqliteUsers {
    fn cache(&self) -> std::sync::MutexGuard<'_, UserCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn forget(&self, username: &str) {
        let mut cache = self.cache();
        cache.users.remove(username);
        cache.generation += 1;
    }

    /// Runs a change to `username`'s row and drops the cached copy; false when no row changed.
    async fn write<'q>(
        &self,
        username: &str,
        change: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> Result<bool, AppError> {
        let done = change.execute(&self.pool).await.map_err(internal)?;
        self.forget(username);
        Ok(done.rows_affected() > 0)
    }

    /// The user as SQLite has it now.
    async fn read(&self, username: &str) -> Result<Option<UserInfo>, AppError> {
        let row: Option<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        row.map(row_to_user).transpose()
    }

    /// Why a change to `username` touched no row: no such user, a federated user (whose role and
    /// password are the identity provider's), or the last operator.
    async fn refused(&self, username: &str, what: &str) -> AppError {
        match self.find(username).await {
            Ok(Some(user)) if user.is_federated() => AppError::Conflict(format!(
                "{username} signs in through the identity provider and cannot be {what} here: \
                 their role comes from the provider's groups and their password is the provider's."
            )),
            Ok(Some(_)) => AppError::Conflict(format!(
                "{username} is the last operator and cannot be {what}: make another user an operator first."
            )),
            Ok(None) => AppError::NotFound(format!("There is no user {username}.")),
            Err(e) => e,
        }
    }
}

#[async_trait::async_trait]
impl UserDirectory for SqliteUsers {
    async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
        client: &str,
    ) -> Result<UserInfo, AppError> {
        let keys = [account_key(username, client), client_key(client)];
        // Counted before the password is checked, so a burst cannot slip past the throttle.
        if let Err(wait) = self.throttle.begin(&keys, Instant::now()) {
            return Err(AppError::Throttled {
                retry_after_secs: wait.as_secs().max(1),
            });
        }
        let hash: Option<String> = sqlx::query_scalar(
            "SELECT password_hash FROM users WHERE username = ? AND source = 'local'",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .map_err(internal)?;
        let (hash, user) = match hash {
            Some(hash) => (hash, self.find(username).await?),
            None => (self.dummy_hash.clone(), None),
        };
        let ok = {
            let _turn = self.checks.acquire().await.map_err(internal)?;
            self.checked.fetch_add(1, Ordering::Relaxed);
            verify_password(password, &hash).await
        };
        match user {
            Some(user) if ok => {
                self.throttle.record_success(&keys[0], &keys[1]);
                let seen = sqlx::query("UPDATE users SET last_sign_in_ms = ? WHERE username = ?")
                    .bind(app::domain::change::run::now_ms())
                    .bind(&user.username);
                self.write(&user.username, seen).await?;
                tracing::info!(user = %user.username, client, "signed in");
                Ok(user)
            }
            // The typed name is logged only when it is a user's: it may be a password typed
            // into the wrong field.
            Some(user) => {
                tracing::warn!(user = %user.username, client, "failed sign-in");
                Err(AppError::BadCredentials)
            }
            None => {
                tracing::warn!(user = "unknown user", client, "failed sign-in");
                Err(AppError::BadCredentials)
            }
        }
    }

    async fn find(&self, username: &str) -> Result<Option<UserInfo>, AppError> {
        let generation = {
            let cache = self.cache();
            if let Some(hit) = cache.users.get(username) {
                return Ok(hit.clone());
            }
            cache.generation
        };
        let user = self.read(username).await?;
        let mut cache = self.cache();
        if cache.generation == generation {
            if cache.users.len() >= USERS_IN_MEMORY {
                cache.users.clear();
            }
            cache.users.insert(username.to_string(), user.clone());
        }
        Ok(user)
    }

    async fn list(&self) -> Result<Vec<UserInfo>, AppError> {
        let rows: Vec<UserRow> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(internal)?;
        rows.into_iter().map(row_to_user).collect()
    }

    async fn set_role(&self, username: &str, role: Role) -> Result<(), AppError> {
        // One statement, so two operators demoting each other at once cannot both succeed.
        let change = sqlx::query(
            "UPDATE users SET role = ?1, session_epoch = session_epoch + 1 WHERE username = ?2 \
             AND source = 'local' AND (?1 = 'operator' OR role <> 'operator' \
                  OR (SELECT COUNT(*) FROM users WHERE role = 'operator') > 1)",
        )
        .bind(role.as_str())
        .bind(username);
        if !self.write(username, change).await? {
            return Err(self.refused(username, "made a viewer").await);
        }
        Ok(())
    }

    async fn set_password(
        &self,
        username: &str,
        password: &Secret,
        must_change: bool,
    ) -> Result<(), AppError> {
        let hash = hash_password(password).await?;
        let change = sqlx::query(
            "UPDATE users SET password_hash = ?, must_change_password = ?, \
             session_epoch = session_epoch + 1 WHERE username = ? AND source = 'local'",
        )
        .bind(hash)
        .bind(must_change)
        .bind(username);
        if !self.write(username, change).await? {
            return Err(self.refused(username, "given a password").await);
        }
        Ok(())
    }

    async fn remove(&self, username: &str) -> Result<(), AppError> {
        let change = sqlx::query(
            "DELETE FROM users WHERE username = ?1 AND (role <> 'operator' \
             OR (SELECT COUNT(*) FROM users WHERE role = 'operator') > 1)",
        )
        .bind(username);
        if !self.write(username, change).await? {
            return Err(self.refused(username, "removed").await);
        }
        Ok(())
    }

    async fn federated_sign_in(
        &self,
        subject: &str,
        name: &str,
        role: Role,
    ) -> Result<UserInfo, AppError> {
        let now = app::domain::change::run::now_ms();
        let username = match self.federated_name(subject).await? {
            Some(username) => {
                // A new role ends the sessions made with the old one.
                let change = sqlx::query(
                    "UPDATE users SET session_epoch = session_epoch + (role <> ?1), role = ?1, \
                     last_sign_in_ms = ?2 WHERE source = 'federated' AND subject = ?3",
                )
                .bind(role.as_str())
                .bind(now)
                .bind(subject);
                self.write(&username, change).await?;
                username
            }
            None => self.add_federated(subject, name, role, now).await?,
        };
        self.read(&username)
            .await?
            .ok_or_else(|| internal("a federated user vanished while signing in"))
    }

    async fn add(&self, username: &str, password: &Secret, role: Role) -> Result<(), AppError> {
        let hash = hash_password(password).await?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let result = sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(username)
        .bind(hash)
        .bind(role.as_str())
        .bind(now)
        .execute(&self.pool)
        .await;
        self.forget(username);
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
                format!("The user {username} already exists."),
            )),
            Err(e) => Err(internal(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn users() -> (SqliteUsers, crate::db::Scratch) {
        let (pool, scratch) = crate::db::scratch().await.unwrap();
        let users = SqliteUsers::new(pool, Arc::new(SignInThrottle::default()))
            .await
            .unwrap();
        (users, scratch)
    }

    #[tokio::test]
    async fn one_federated_user_signing_in_twice_at_once_is_one_row() {
        let (users, _scratch) = users().await;
        let users = Arc::new(users);
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let users = users.clone();
                tokio::spawn(async move {
                    users
                        .federated_sign_in("sub-123", "olivia", Role::Operator)
                        .await
                })
            })
            .collect();
        for t in tries {
            let user = t.await.unwrap().expect("every sign-in succeeds");
            assert_eq!(user.username, "olivia");
        }
        let list = users.list().await.unwrap();
        assert_eq!(list.iter().filter(|u| u.is_federated()).count(), 1);
    }

    #[tokio::test]
    async fn a_federated_name_that_is_taken_or_invalid_falls_back_to_the_subject() {
        let (users, _scratch) = users().await;
        users
            .add("olivia", &Secret::new("a-local-password"), Role::Viewer)
            .await
            .unwrap();
        let taken = users
            .federated_sign_in("00u1", "olivia", Role::Operator)
            .await
            .unwrap();
        assert_eq!(taken.username, "oidc-00u1");
        let odd = users
            .federated_sign_in("a|b c", "bad name\u{0}", Role::Viewer)
            .await
            .unwrap();
        assert_eq!(odd.username, "oidc-abc");
        // The local olivia is untouched: still a viewer with her password.
        let local = users.find("olivia").await.unwrap().unwrap();
        assert_eq!(
            (local.role, local.source),
            (Role::Viewer, UserSource::Local)
        );
    }
}
