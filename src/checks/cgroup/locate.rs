//! Finding the process's cgroup directory for a controller, from `/proc/self/cgroup` and
//! `/proc/self/mountinfo`.

use super::mountinfo::{self, Mount, MOUNTINFO};
use super::read::{malformed, read_text};
use super::{CgroupError, CgroupVersion};
use crate::Host;
use std::path::{Component, Path, PathBuf};

/// Where the process's cgroup membership is listed.
const PROC_CGROUP: &str = "/proc/self/cgroup";

/// The version and directory of the hierarchy holding `controller` for this process.
pub(super) fn locate(
    host: &dyn Host,
    controller: &'static str,
) -> Result<(CgroupVersion, PathBuf), CgroupError> {
    let cgroup_path = Path::new(PROC_CGROUP);
    let entries = parse_proc_cgroup(cgroup_path, &read_text(host, cgroup_path)?)?;
    let mountinfo_path = Path::new(MOUNTINFO);
    let mounts = mountinfo::parse(&read_text(host, mountinfo_path)?)
        .map_err(|reason| malformed(mountinfo_path, reason))?;

    // A v1 hierarchy that holds the controller wins: on hybrid hosts the v2 one is empty.
    let v1 = entries
        .iter()
        .filter(|e| e.controllers.iter().any(|c| c == controller))
        .find_map(|e| {
            let mount = pick_mount(&mounts, &e.path, |m| {
                m.fs_type == "cgroup" && m.super_options.iter().any(|o| o == controller)
            })?;
            Some((CgroupVersion::V1, dir_in(mount, &e.path)))
        });
    if let Some(found) = v1 {
        return Ok(found);
    }
    let unified = entries
        .iter()
        .find(|e| e.id == "0" && e.controllers.is_empty());
    let Some(entry) = unified else {
        return Err(CgroupError::NoController {
            controller,
            reason: format!(
                "`{PROC_CGROUP}` lists neither a v1 `{controller}` hierarchy with a mounted `cgroup` filesystem nor a v2 `0::` entry"
            ),
        });
    };
    let Some(mount) = pick_mount(&mounts, &entry.path, |m| m.fs_type == "cgroup2") else {
        return Err(CgroupError::NoController {
            controller,
            reason: format!("`{MOUNTINFO}` has no `cgroup2` mount"),
        });
    };
    let dir = dir_in(mount, &entry.path);
    // `cgroup.controllers` lists what the parent delegated; absent files then say why.
    let listed = dir.join("cgroup.controllers");
    if let Ok(text) = read_text(host, &listed) {
        if !text.split_whitespace().any(|c| c == controller) {
            return Err(CgroupError::NoController {
                controller,
                reason: format!(
                    "`{}` does not list it (`{}`)",
                    listed.display(),
                    text.trim()
                ),
            });
        }
    }
    Ok((CgroupVersion::V2, dir))
}

#[derive(Debug, PartialEq, Eq)]
struct CgroupEntry {
    id: String,
    controllers: Vec<String>,
    path: String,
}

/// Parses `/proc/self/cgroup`: `hierarchy-id:controller-list:cgroup-path` per line.
fn parse_proc_cgroup(path: &Path, text: &str) -> Result<Vec<CgroupEntry>, CgroupError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let mut parts = line.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(id), Some(list), Some(p)) if p.starts_with('/') => Ok(CgroupEntry {
                    id: id.to_owned(),
                    controllers: list
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    path: p.to_owned(),
                }),
                _ => Err(malformed(
                    path,
                    format!("line {}: expected `id:controllers:/path`", i + 1),
                )),
            }
        })
        .collect()
}

/// The mount of a hierarchy whose root contains `cgroup_path`, else any mount of it.
fn pick_mount<'m>(
    mounts: &'m [Mount],
    cgroup_path: &str,
    is_hierarchy: impl Fn(&Mount) -> bool,
) -> Option<&'m Mount> {
    let candidates: Vec<&Mount> = mounts.iter().filter(|m| is_hierarchy(m)).collect();
    candidates
        .iter()
        .find(|m| Path::new(cgroup_path).starts_with(&m.root))
        .or(candidates.first())
        .copied()
}

/// The directory of `cgroup_path` under `mount`.
///
/// The mount shows the hierarchy from `mount.root` down. When the process's cgroup is below that
/// root, its directory is the rest of the path under the mount point. Otherwise (a cgroup
/// namespace shows `/` while the mount was made outside it, or the path climbs with `..`) the
/// mount point itself is the best view of the process's cgroup: container runtimes mount the
/// container's own cgroup there.
fn dir_in(mount: &Mount, cgroup_path: &str) -> PathBuf {
    let base = PathBuf::from(&mount.mount_point);
    let cgroup = Path::new(cgroup_path);
    let climbs = cgroup.components().any(|c| c == Component::ParentDir);
    match cgroup.strip_prefix(&mount.root) {
        Ok(rest) if !climbs && !rest.as_os_str().is_empty() => base.join(rest),
        _ => base,
    }
}
