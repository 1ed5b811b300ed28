//! The guest's kernel and userland: Debian's i386 `linux-image-686-pae` and
//! `busybox-static`, downloaded once through a private apt state (the
//! system's apt and its architectures are left alone) and cached.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::modules;

/// The guest's kernel and userland, as cached on the host.
pub struct GuestImage {
    /// `uname -r` of the kernel, e.g. `6.1.0-50-686-pae`.
    pub release: String,
    pub vmlinuz: PathBuf,
    /// The 9p modules, in the order they are inserted ([`super::modules`]).
    pub modules: Vec<PathBuf>,
    pub busybox: PathBuf,
}

/// Where downloads are cached unless `--cache` says otherwise.
pub fn default_cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("PTE_LITMUS_CACHE") {
        return dir.into();
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("pte-litmus");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cache/pte-litmus")
}

/// Runs a command to completion; its output is shown only if it fails.
pub(super) fn quietly(what: &str, command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|e| {
        let program = command.get_program().to_string_lossy().into_owned();
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("{what}: '{program}' is not installed")
        } else {
            format!("{what}: cannot start '{program}': {e}")
        }
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("E:") || l.starts_with("error"))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("no message");
        return Err(format!(
            "{what} failed ({}): {}",
            output.status,
            last.trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// How a failure to download the guest's packages begins (the guest test
/// skips on it, saying why, rather than fail for want of a network).
pub const UNOBTAINABLE: &str = "Debian's i386 686-pae kernel or busybox cannot be had";

/// The kernel and busybox, from the cache or downloaded into it.
pub fn fetch_image(cache: &Path) -> Result<GuestImage, String> {
    let root = cache.join("debian-i386");
    let cached = |release: &str| {
        let image = image_in(&root, release);
        let complete = image.vmlinuz.is_file()
            && image.busybox.is_file()
            && !image.modules.is_empty()
            && image.modules.iter().all(|m| m.is_file());
        complete.then_some(image)
    };
    if let Ok(release) = fs::read_to_string(root.join("release"))
        && let Some(image) = cached(release.trim())
    {
        return Ok(image);
    }
    // Only the download can fail for want of Debian's archive; what the
    // package then holds is judged by `unpack`.
    let unobtainable = |e: String| format!("{UNOBTAINABLE}: {e}");
    let (apt_options, package) = resolve_kernel(&root).map_err(unobtainable)?;
    let release = package.trim_start_matches("linux-image-").to_string();
    download(&root, &apt_options, &package).map_err(unobtainable)?;
    unpack(&root, &package, &release)
}

/// A private apt state with only i386 indexes (the system's apt and its
/// architectures stay untouched), and the current kernel package that
/// `linux-image-686-pae` names: apt's options, and the package.
fn resolve_kernel(root: &Path) -> Result<(Vec<String>, String), String> {
    let apt = root.join("apt");
    for dir in [
        apt.join("lists/partial"),
        apt.join("cache"),
        root.join("debs"),
    ] {
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let apt_options = [
        "-q".to_string(),
        format!("-oDir::State::Lists={}", apt.join("lists").display()),
        format!("-oDir::Cache={}", apt.join("cache").display()),
        "-oAPT::Architectures::=i386".to_string(),
        "-oAPT::Sandbox::User=root".to_string(),
    ];
    eprintln!(
        "litmus: guest: downloading the Debian i386 package lists (once; cached in {})",
        root.display()
    );
    // An index that fails (a mirror mid-sync) is not fatal while the
    // packages we need still resolve; say what failed if they do not.
    let update = quietly(
        "apt-get update",
        Command::new("apt-get").args(&apt_options).arg("update"),
    );
    if let Err(e) = &update
        && e.contains("is not installed")
    {
        return Err(format!(
            "guest needs Debian's apt to download its kernel: {e}"
        ));
    }
    let depends = quietly(
        "apt-cache depends linux-image-686-pae:i386",
        Command::new("apt-cache")
            .args(&apt_options)
            .args(["depends", "linux-image-686-pae:i386"]),
    )
    .map_err(|e| match &update {
        Err(u) => format!("{e} (after {u})"),
        Ok(_) => e,
    })?;
    // "  Depends: linux-image-6.1.0-50-686-pae:i386": the metapackage names
    // the current kernel package, so no ABI number is hard-coded here.
    let package = depends
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .map(|p| p.trim_end_matches(":i386"))
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-686-pae"))
        .ok_or_else(|| {
            "linux-image-686-pae:i386 names no linux-image-*-686-pae package".to_string()
        })?
        .to_string();
    Ok((apt_options.to_vec(), package))
}

/// `apt-get download` the kernel and busybox into `root/debs`.
fn download(root: &Path, apt_options: &[String], package: &str) -> Result<(), String> {
    eprintln!("litmus: guest: downloading {package} and busybox-static (i386)");
    let debs = root.join("debs");
    quietly(
        "apt-get download",
        Command::new("apt-get")
            .args(apt_options)
            .args([
                "download",
                &format!("{package}:i386"),
                "busybox-static:i386",
            ])
            .current_dir(&debs),
    )?;
    Ok(())
}

/// Unpack the `.deb`s and copy out the kernel, busybox and the 9p modules.
fn unpack(root: &Path, package: &str, release: &str) -> Result<GuestImage, String> {
    let debs = root.join("debs");
    let unpacked = root.join("unpacked");
    let _ = fs::remove_dir_all(&unpacked);
    for deb in fs::read_dir(&debs).map_err(|e| format!("cannot read {}: {e}", debs.display()))? {
        let deb = deb.map_err(|e| e.to_string())?.path();
        let name = deb.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with(&format!("{package}_")) || name.starts_with("busybox-static_") {
            quietly(
                &format!("dpkg-deb -x {name}"),
                Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked),
            )?;
        }
    }
    let image = image_in(root, release);
    let copy = |from: PathBuf, to: &Path| -> Result<(), String> {
        fs::create_dir_all(to.parent().expect("a file in a directory"))
            .and_then(|_| fs::copy(&from, to).map(|_| ()))
            .map_err(|e| format!("the packages lack {}: {e}", from.display()))
    };
    copy(
        unpacked.join(format!("boot/vmlinuz-{release}")),
        &image.vmlinuz,
    )?;
    copy(unpacked.join("bin/busybox"), &image.busybox)?;
    // The modules in the order their own `depends=` requires, then that
    // order, last: a cache without it is incomplete.
    let order = modules::resolve(&unpacked.join(format!("lib/modules/{release}/kernel")))
        .map_err(|e| format!("{package}: {e}"))?;
    let modules_dir = root.join(release).join("modules");
    for (name, file) in &order {
        copy(file.clone(), &modules_dir.join(format!("{name}.ko")))?;
    }
    let names: Vec<&str> = order.iter().map(|(name, _)| name.as_str()).collect();
    fs::write(modules_dir.join(LOAD_ORDER), names.join("\n") + "\n")
        .map_err(|e| format!("cannot write {}: {e}", modules_dir.display()))?;
    let _ = fs::remove_dir_all(&unpacked);
    fs::write(root.join("release"), release)
        .map_err(|e| format!("cannot write {}: {e}", root.join("release").display()))?;
    Ok(image_in(root, release))
}

/// The file in a cached image's `modules/` that lists its modules, one
/// name a line, in the order they are inserted.
pub const LOAD_ORDER: &str = "load-order";

/// The image cached under `root` for `release`, as far as it is there (no
/// load order yet: no modules).
pub(super) fn image_in(root: &Path, release: &str) -> GuestImage {
    let dir = root.join(release);
    let modules_dir = dir.join("modules");
    let order = fs::read_to_string(modules_dir.join(LOAD_ORDER)).unwrap_or_default();
    GuestImage {
        release: release.to_string(),
        vmlinuz: dir.join("vmlinuz"),
        modules: order
            .lines()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| modules_dir.join(format!("{name}.ko")))
            .collect(),
        busybox: dir.join("busybox"),
    }
}

impl GuestImage {
    /// The modules' names, in the order they are inserted.
    pub fn module_names(&self) -> Vec<String> {
        self.modules
            .iter()
            .filter_map(|m| modules::module_name(m))
            .collect()
    }
}
