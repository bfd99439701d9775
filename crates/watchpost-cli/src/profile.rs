//! Connection profiles: named `[profile.<name>]` tables of `config.toml` that hold where and as
//! whom to connect, selected with `--profile NAME`. Flags and environment variables win over the
//! profile.
//!
//! Secrets never sit in the file in clear unless the profile insists
//! (`allow_plaintext_secrets = true`, with a warning): they come from an environment variable
//! (`password_env = "VAR"`) or a file only its owner can read (`password_file = "path"`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{CliError, CliResult};
use crate::net::{NetArgs, ProxyArg};
use crate::secret::Secret;
use crate::vendors::Vendor;

/// The keys every profile may have, whatever its vendor.
const COMMON_KEYS: &[&str] = &[
    "vendor",
    "base_url",
    "ca_cert",
    "pin",
    "timeout",
    "connect_timeout",
    "native_roots",
    "proxy",
    "proxy_env",
    "proxy_file",
    "allow_plaintext_secrets",
];

/// The config file: `--config FILE`, else `$XDG_CONFIG_HOME/watchpost/config.toml`, else
/// `~/.config/watchpost/config.toml`.
pub fn config_path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = flag {
        return Some(path.to_path_buf());
    }
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".config")))?;
    Some(base.join("watchpost").join("config.toml"))
}

/// One `[profile.<name>]` table of the config file. Its `Debug` shows the keys, never the
/// values (a clear-text secret may be among them).
pub struct Profile {
    name: String,
    /// The config file, for messages and for relative paths.
    path: PathBuf,
    table: toml::Table,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("keys", &self.table.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Profile {
    /// Reads profile `name` from the config file ([`config_path`]).
    ///
    /// # Errors
    /// A usage error when the file cannot be read or parsed, or has no such profile.
    pub fn load(config: Option<&Path>, name: &str) -> CliResult<Profile> {
        let path = config_path(config).ok_or_else(|| {
            CliError::usage("--profile: no config file: neither XDG_CONFIG_HOME nor HOME is set")
                .hint("give the file with --config FILE")
        })?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CliError::usage(format!("cannot read the config file {}: {e}", path.display())).hint(
                "profiles live in [profile.<name>] tables of that file (see docs/cli.md); --config FILE names another",
            )
        })?;
        Profile::parse(&text, &path, name)
    }

    /// Profile `name` of the config text `text` read from `path`.
    ///
    /// # Errors
    /// A usage error for invalid TOML or a missing profile.
    pub fn parse(text: &str, path: &Path, name: &str) -> CliResult<Profile> {
        let mut doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            CliError::usage(format!("{} is not valid TOML: {}", path.display(), e.message()))
        })?;
        let profiles = match doc.remove("profile") {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err(CliError::usage(format!("{}: `profile` must be a table", path.display()))),
            None => toml::Table::new(),
        };
        let known: Vec<&str> = profiles.keys().map(String::as_str).collect();
        let table = match profiles.get(name) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => return Err(CliError::usage(format!("{}: profile.{name} must be a table", path.display()))),
            None => {
                let hint = if known.is_empty() {
                    "the file has no [profile.<name>] table".to_owned()
                } else {
                    format!("the profiles there are: {}", known.join(", "))
                };
                return Err(CliError::usage(format!("no profile `{name}` in {}", path.display())).hint(hint));
            }
        };
        Ok(Profile { name: name.to_owned(), path: path.to_path_buf(), table })
    }

    /// "profile NAME (FILE)", for messages.
    fn at(&self) -> String {
        format!("profile `{}` ({})", self.name, self.path.display())
    }

    fn wrong_type(&self, key: &str, what: &str) -> CliError {
        CliError::usage(format!("{}: `{key}` must be {what}", self.at()))
    }

    /// Checks that the profile is for `vendor` and has no key `vendor` does not know (a typo
    /// would otherwise be ignored silently).
    ///
    /// # Errors
    /// A usage error naming the vendor or the unknown key.
    pub fn check(&self, vendor: &dyn Vendor) -> CliResult<()> {
        match self.text("vendor")? {
            Some(v) if v == vendor.id() => {}
            Some(v) => {
                return Err(CliError::usage(format!("{} is for `{v}`, not `{}`", self.at(), vendor.id()))
                    .hint(format!("run `watchpost {v} ...` with it, or pick another profile")))
            }
            None => {
                return Err(CliError::usage(format!("{} names no vendor", self.at()))
                    .hint(format!("add vendor = \"{}\" to it", vendor.id())))
            }
        }
        let mut known: Vec<String> = COMMON_KEYS.iter().chain(vendor.profile_keys()).map(|k| (*k).to_owned()).collect();
        for s in vendor.profile_secrets() {
            known.extend([(*s).to_owned(), format!("{s}_env"), format!("{s}_file")]);
        }
        if let Some(key) = self.table.keys().find(|k| !known.contains(k)) {
            return Err(CliError::usage(format!("{}: unknown key `{key}` for {}", self.at(), vendor.id()))
                .hint(format!("the keys are: {}", known.join(", "))));
        }
        Ok(())
    }

    /// The text of `key`, if the profile has it.
    ///
    /// # Errors
    /// A usage error when it is not a string.
    pub fn text(&self, key: &str) -> CliResult<Option<String>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    /// The boolean `key`, if the profile has it.
    ///
    /// # Errors
    /// A usage error when it is not a boolean.
    pub fn flag(&self, key: &str) -> CliResult<Option<bool>> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    /// The strings of `key`: one string or an array of strings.
    ///
    /// # Errors
    /// A usage error for anything else.
    pub fn texts(&self, key: &str) -> CliResult<Vec<String>> {
        match self.table.get(key) {
            None => Ok(Vec::new()),
            Some(toml::Value::String(s)) => Ok(vec![s.clone()]),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| self.wrong_type(key, "a string or strings")))
                .collect(),
            Some(_) => Err(self.wrong_type(key, "a string or an array of strings")),
        }
    }

    /// A path of the profile: relative paths are relative to the config file's directory.
    fn resolve(&self, path: &str) -> PathBuf {
        let p = PathBuf::from(path);
        match self.path.parent() {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p,
        }
    }

    /// The duration `key` (`"30s"`), if the profile has it.
    ///
    /// # Errors
    /// A usage error for a malformed duration.
    pub fn duration(&self, key: &str) -> CliResult<Option<Duration>> {
        self.text(key)?
            .map(|t| {
                crate::net::parse_duration(&t).map_err(|e| CliError::usage(format!("{}: `{key}`: {e}", self.at())))
            })
            .transpose()
    }

    /// Fills the TLS and timeout settings the command line left unset.
    ///
    /// # Errors
    /// A usage error for a malformed value.
    pub fn fill_net(&self, net: &mut NetArgs) -> CliResult<()> {
        if net.ca_certs.is_empty() {
            net.ca_certs = self.texts("ca_cert")?.iter().map(|p| self.resolve(p)).collect();
        }
        if net.pins.is_empty() {
            net.pins = self.texts("pin")?;
        }
        if net.timeout.is_none() {
            net.timeout = self.duration("timeout")?;
        }
        if net.connect_timeout.is_none() {
            net.connect_timeout = self.duration("connect_timeout")?;
        }
        if net.proxy.is_none() {
            net.proxy = self.proxy()?;
        }
        if !net.native_roots {
            net.native_roots = self.flag("native_roots")? == Some(true);
        }
        Ok(())
    }

    /// The profile's proxy: `proxy = "http://host:port"` (or `none`) in clear text when the URL
    /// holds no password; a URL with a password is a secret like any other (`proxy_env`,
    /// `proxy_file`, or clear text only with `allow_plaintext_secrets = true`).
    ///
    /// # Errors
    /// As [`Profile::secret`]; the URL is never in the message.
    fn proxy(&self) -> CliResult<Option<ProxyArg>> {
        match self.text("proxy")? {
            Some(url) if !url_has_password(&url) => {
                if self.table.contains_key("proxy_env") || self.table.contains_key("proxy_file") {
                    return Err(CliError::usage(format!(
                        "{}: give only one of proxy, proxy_env, proxy_file",
                        self.at()
                    )));
                }
                Ok(Some(ProxyArg::new(url)))
            }
            _ => Ok(self.secret("proxy")?.map(|s| ProxyArg::new(s.expose().to_owned()))),
        }
    }

    /// Fills `slot` with the text of `key` when the command line left it unset.
    ///
    /// # Errors
    /// A usage error when the value is not a string.
    pub fn fill(&self, slot: &mut Option<String>, key: &str) -> CliResult<()> {
        if slot.is_none() {
            *slot = self.text(key)?;
        }
        Ok(())
    }

    /// Fills `slot` with the secret `key` when the command line left it unset
    /// ([`Profile::secret`]).
    ///
    /// # Errors
    /// Those of [`Profile::secret`].
    pub fn fill_secret(&self, slot: &mut Option<Secret>, key: &str) -> CliResult<()> {
        if slot.is_none() {
            *slot = self.secret(key)?;
        }
        Ok(())
    }

    /// The secret `key`, from the environment variable named by `<key>_env`, the file named by
    /// `<key>_file`, or (only with `allow_plaintext_secrets = true`, with a warning on stderr)
    /// the clear text of `<key>`.
    ///
    /// # Errors
    /// A usage error when more than one source is given, the variable is unset, the file cannot
    /// be read, is empty or (on unix) readable by group or others, or the clear text is not
    /// allowed. The secret itself is never in the message.
    pub fn secret(&self, key: &str) -> CliResult<Option<Secret>> {
        let env_key = format!("{key}_env");
        let file_key = format!("{key}_file");
        let given: Vec<&str> =
            [key, env_key.as_str(), file_key.as_str()].into_iter().filter(|k| self.table.contains_key(*k)).collect();
        if given.len() > 1 {
            return Err(CliError::usage(format!("{}: give only one of {}", self.at(), given.join(", "))));
        }
        if let Some(var) = self.text(&env_key)? {
            return match std::env::var(&var) {
                Ok(v) if !v.is_empty() => Ok(Some(Secret::from(v))),
                _ => Err(CliError::usage(format!("{}: `{env_key}` names {var}, which is not set", self.at()))
                    .hint(format!("export {var}=... before running the command"))),
            };
        }
        if let Some(file) = self.text(&file_key)? {
            return self.secret_file(&file_key, &self.resolve(&file)).map(Some);
        }
        let Some(clear) = self.table.get(key) else { return Ok(None) };
        let Some(clear) = clear.as_str() else { return Err(self.wrong_type(key, "a string")) };
        if self.flag("allow_plaintext_secrets")? != Some(true) {
            return Err(CliError::usage(format!(
                "{}: `{key}` is in clear text in the config file; refused",
                self.at()
            ))
            .hint(format!(
                "use {env_key} = \"VARIABLE\" or {file_key} = \"path\" (a file only you can read), or add allow_plaintext_secrets = true to the profile if you insist"
            )));
        }
        tell!("warning: {}: `{key}` is read in clear text from the config file (allow_plaintext_secrets = true); prefer {env_key} or {file_key}", self.at());
        Ok(Some(Secret::from(clear)))
    }

    /// Reads a secret file: refused when group or others may read it (unix), or when empty.
    /// One trailing line break is dropped.
    fn secret_file(&self, file_key: &str, path: &Path) -> CliResult<Secret> {
        let unreadable = |e: std::io::Error| {
            CliError::usage(format!("{}: cannot read the `{file_key}` {}: {e}", self.at(), path.display()))
        };
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(CliError::usage(format!(
                    "{}: the `{file_key}` {} may be read by group or others (mode {mode:03o}); refused",
                    self.at(),
                    path.display()
                ))
                .hint(format!("chmod 600 {}", path.display())));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = std::fs::read_to_string(path).map_err(unreadable)?;
        let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        if text.is_empty() {
            return Err(CliError::usage(format!("{}: the `{file_key}` {} is empty", self.at(), path.display())));
        }
        Ok(Secret::from(text))
    }
}

/// Whether a URL's authority holds a password (`scheme://user:password@host`).
fn url_has_password(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost::core::transport::ProxyConfig;

    fn profile(text: &str) -> Profile {
        Profile::parse(text, Path::new("/etc/wp/config.toml"), "p").unwrap()
    }

    #[test]
    fn the_proxy_and_native_roots_come_from_the_profile_and_a_proxy_password_is_a_secret() {
        let mut net = NetArgs::default();
        profile("[profile.p]\nproxy = \"http://proxy.lan:3128\"\nnative_roots = true\n").fill_net(&mut net).unwrap();
        assert!(net.native_roots);
        assert_eq!(
            format!("{:?}", net.proxy.unwrap().proxy().unwrap()),
            format!("{:?}", ProxyConfig::url("http://proxy.lan:3128").unwrap())
        );

        let with_password = "[profile.p]\nproxy = \"http://ops:hunter2@proxy.lan:3128\"\n";
        let e = profile(with_password).fill_net(&mut NetArgs::default()).unwrap_err();
        assert!(e.message.contains("clear text") && !e.to_string().contains("hunter2"), "{e}");
        let allowed = format!("{with_password}allow_plaintext_secrets = true\n");
        let mut net = NetArgs::default();
        profile(&allowed).fill_net(&mut net).unwrap();
        assert!(net.proxy.is_some());

        let mut flag = NetArgs { proxy: Some(ProxyArg::new("none".into())), ..NetArgs::default() };
        profile("[profile.p]\nproxy = \"http://proxy.lan:3128\"\n").fill_net(&mut flag).unwrap();
        assert_eq!(format!("{:?}", flag.proxy.unwrap().proxy().unwrap()), "ProxyConfig::None", "the flag wins");
        assert!(
            url_has_password("http://u:p@h:1/x")
                && !url_has_password("http://u@h:1")
                && !url_has_password("http://h:1/a:b@c")
        );
    }

    #[test]
    fn a_missing_profile_names_the_ones_there() {
        let e = Profile::parse("[profile.a]\nvendor = \"x\"\n[profile.b]\n", Path::new("c.toml"), "z").unwrap_err();
        assert_eq!(e.exit, crate::error::EXIT_USAGE);
        assert!(e.hint.as_deref().unwrap_or_default().contains("a, b"), "{e}");
        assert!(Profile::parse("not toml = = =", Path::new("c.toml"), "z").is_err());
    }

    #[test]
    fn clear_text_secrets_are_refused_without_the_opt_in() {
        let p = profile("[profile.p]\npassword = \"hunter2\"\n");
        let e = p.secret("password").unwrap_err();
        assert!(e.to_string().contains("allow_plaintext_secrets") && !e.to_string().contains("hunter2"), "{e}");
        let p = profile("[profile.p]\npassword = \"hunter2\"\nallow_plaintext_secrets = true\n");
        assert!(!format!("{p:?}").contains("hunter2"), "{p:?}");
        assert_eq!(p.secret("password").unwrap().map(|s| s.expose().to_owned()), Some("hunter2".to_owned()));
    }

    #[test]
    fn one_source_per_secret() {
        let p = profile("[profile.p]\npassword_env = \"A\"\npassword_file = \"f\"\n");
        assert!(p.secret("password").unwrap_err().message.contains("only one"));
        assert!(profile("[profile.p]\n").secret("password").unwrap().is_none());
    }

    #[test]
    fn relative_paths_are_relative_to_the_config_file() {
        let p = profile("[profile.p]\nca_cert = [\"ca.pem\", \"/abs.pem\"]\ntimeout = \"5s\"\n");
        let mut net = NetArgs::default();
        p.fill_net(&mut net).unwrap();
        assert_eq!(net.ca_certs, vec![PathBuf::from("/etc/wp/ca.pem"), PathBuf::from("/abs.pem")]);
        assert_eq!(net.timeout, Some(Duration::from_secs(5)));
        let bad = profile("[profile.p]\ntimeout = \"5\"\n");
        assert!(bad.fill_net(&mut NetArgs::default()).is_err());
    }

    #[test]
    fn the_config_flag_names_the_file() {
        let flag = config_path(Some(Path::new("x.toml")));
        assert_eq!(flag, Some(PathBuf::from("x.toml")));
    }
}
