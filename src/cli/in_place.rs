//! `--in-place`: a file replaced only once its new content is complete on disk.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Replaces a file only once its new content is complete on disk. A symlink stays a link and
/// its target is what changes; the file keeps its mode (and, for root, its owner and group). The
/// new content goes to a fresh temporary file beside the target, is synced, and is renamed over
/// it, so a reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = std::fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    let meta = std::fs::metadata(&target).with_context(|| format!("cannot read {}", target.display()))?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tmp, mut file) = create_temp(dir, &name)?;
    let written = (|| -> std::io::Result<()> {
        file.write_all(bytes)?;
        keep_owner(&file, &meta)?;
        file.set_permissions(meta.permissions())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot replace {}", target.display()));
    }
    // The rename itself is durable once the directory is.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new file in `dir` that nobody else can read yet, under a name no file has.
fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.svcpolicy-{}-{n}.tmp", std::process::id()));
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create a temporary file in {}", dir.display())),
        }
    }
    anyhow::bail!("cannot create a temporary file in {}: every name is taken", dir.display())
}

/// Gives the new file the old one's owner and group. Only root may give a file away; anyone
/// else's attempt is refused and the file stays theirs, as any editor leaves it.
fn keep_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {}
            other => other?,
        }
    }
    #[cfg(not(unix))]
    let _ = (file, meta);
    Ok(())
}
