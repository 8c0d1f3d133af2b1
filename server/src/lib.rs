//! The cks-console server: configuration, storage, sign-in, the KMS backend and the axum router.

pub mod assets;
pub mod backend;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod fleet;
pub mod forwarded;
pub mod notify;
pub mod oidc;
pub mod preflight;
pub mod runs;
pub mod telemetry;
pub mod throttle;
pub mod users;
pub mod watch;
pub mod web;

use app::domain::user::Secret;
use app::ssr::Services;
use config::Config;
pub use error::StartError;
use std::net::SocketAddr;
use std::sync::Arc;
use users::{AdminBootstrap, SqliteUsers};

/// A console ready to serve: its router, and what happened while it started.
pub struct Console {
    pub router: axum::Router,
    pub bootstrap: AdminBootstrap,
    pub backend: backend::Backend,
    /// Set to true when the console stops: the live pages' event streams end, so that a graceful
    /// shutdown does not wait for browsers that never close them.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

/// Builds everything but the listener, so tests can drive the same router with `oneshot`.
pub async fn build(config: &Config, admin_password: Option<Secret>) -> Result<Console, StartError> {
    let (data_dir, pool, scratch) = if config.ephemeral {
        let (pool, scratch) = db::scratch().await?;
        (None, pool, Some(scratch))
    } else {
        kms_sim::files::create_private_dir(&config.data_dir).map_err(|source| {
            StartError::DataDir {
                path: config.data_dir.clone(),
                source,
            }
        })?;
        let pool = db::open(&config.data_dir).await?;
        (Some(config.data_dir.as_path()), pool, None)
    };
    let oidc_settings = oidc::OidcSettings::from_config(config).map_err(StartError::Config)?;
    let sign_in = Arc::new(oidc::sign_in_options(config, oidc_settings.as_ref()));
    let oidc = oidc_settings
        .map(oidc::Oidc::new)
        .transpose()
        .map_err(StartError::Config)?
        .map(Arc::new);
    let users = Arc::new(
        SqliteUsers::new(pool.clone(), Arc::new(throttle::SignInThrottle::default())).await?,
    );
    let bootstrap = users.bootstrap_admin(admin_password).await?;
    let mut backend = backend::start(config, data_dir).await?;
    // Pages, server functions and runs read the watchers' copy; only the watchers read KMS.
    let watch = watch::FleetWatch::start(
        fleet::KmsFleet::new(std::mem::take(&mut backend.targets), fleet::PAGE_SIZE),
        config.watch_settings(),
    );
    let fleet_changes = watch.changes();
    let fleet_events = watch.events();
    let stores: Arc<dyn app::ssr::KeyStores> = watch;
    let workflows = Arc::new(
        runs::Runner::open(
            pool.clone(),
            stores.clone(),
            backend.probe.clone(),
            backend.timing,
            backend.outage,
        )
        .await?,
    );
    let run_changes = workflows.run_changes();
    notify::spawn(
        fleet_events,
        workflows.clone(),
        config.notify_webhooks.clone(),
        config.public_url(),
    );
    let services = Services {
        users,
        stores,
        workflows,
        demo: backend.demo.clone(),
        backend: Arc::new(backend.info.clone()),
        backend_summary: Arc::new((&backend.info).into()),
        sign_in,
        fleet_pages: Arc::default(),
    };
    let (stopping, stopping_seen) = tokio::sync::watch::channel(false);
    let router = web::router(web::RouterParts {
        config,
        pool,
        services,
        live: Some(web::Live {
            fleet: fleet_changes,
            runs: run_changes,
            stopping: stopping_seen,
        }),
        oidc,
    })
    .await?;
    // The router holds the ephemeral database's directory: it goes when the last copy does.
    let router = match scratch {
        Some(scratch) => router.layer(axum::Extension(scratch)),
        None => router,
    };
    Ok(Console {
        router,
        bootstrap,
        backend,
        stopping,
    })
}

/// `println!` for the lines meant for the terminal, without the panic when standard output is
/// closed: they are lost then, and the console goes on.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub async fn run(config: Config) -> Result<(), StartError> {
    let addr = config.listen_addr().map_err(StartError::Config)?;
    let admin_password = std::env::var("CKS_ADMIN_PASSWORD").ok().map(Secret::new);
    let console = build(&config, admin_password).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Listen { addr, source })?;
    // The terminal, not the log: this is the one place the first password is ever shown. A closed
    // standard output (`cks-console | head -1`) loses these lines, and must not stop the console.
    say!("cks-console {} listening on http://{addr}", app::VERSION);
    say!("backend: {}", console.backend.info.label());
    tracing::info!(%addr, backend = %console.backend.info.label(), "listening");
    match &console.bootstrap {
        AdminBootstrap::CreatedWithGeneratedPassword(p) => {
            say!(
                "first start: created user 'admin' (operator) with one-time password: {}",
                p.expose()
            );
            say!(
                "sign in at http://{addr}/login as admin with that password; it is not shown again"
            );
        }
        AdminBootstrap::CreatedWithGivenPassword => {
            say!("first start: created user 'admin' (operator) with the password from CKS_ADMIN_PASSWORD");
            say!("sign in at http://{addr}/login as admin");
        }
        AdminBootstrap::AlreadyHasUsers => say!("sign in at http://{addr}/login"),
    }
    axum::serve(
        listener,
        console
            .router
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let stopping = console.stopping.clone();
        async move {
            shutdown_signal().await;
            tracing::info!("stopping: new connections are refused, open ones finish");
            stopping.send_replace(true);
        }
    })
    .await
    .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
