//! `/proc/self/mountinfo`: the mounts the process sees (cgroup hierarchies, the root filesystem).
//!
//! A line is `id parent major:minor root mount-point options [optional…] - fstype source super-options`
//! (proc(5)); paths escape space, tab, newline and backslash as octal (`\040`).

use std::path::Path;

/// Where the process's mount table is.
pub(crate) const MOUNTINFO: &str = "/proc/self/mountinfo";

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    /// The directory of the filesystem that is mounted (`/` for a whole filesystem).
    pub(crate) root: String,
    /// Where it is mounted, relative to the process's root.
    pub(crate) mount_point: String,
    /// Per-mount options (`rw`/`ro`, `nosuid`, …).
    pub(crate) options: Vec<String>,
    /// Filesystem type (`ext4`, `overlay`, `cgroup2`, `cgroup`).
    pub(crate) fs_type: String,
    /// Per-superblock options (for cgroup v1: the controllers, e.g. `rw,cpu,cpuacct`).
    pub(crate) super_options: Vec<String>,
}

impl Mount {
    /// Whether the per-mount options contain `ro`.
    pub(crate) fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro")
    }
}

/// Parses the whole table; the error names the line and what was wrong with it.
pub(crate) fn parse(text: &str) -> Result<Vec<Mount>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| parse_line(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

fn parse_line(line: &str) -> Result<Mount, String> {
    let fields: Vec<&str> = line.split(' ').collect();
    let sep = fields
        .iter()
        .position(|f| *f == "-")
        .ok_or("no ` - ` separator before the filesystem type")?;
    if sep < 6 {
        return Err(format!("{sep} fields before ` - `, expected at least 6"));
    }
    if fields.len() < sep + 3 {
        return Err("missing filesystem type, source or super options after ` - `".into());
    }
    let list = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
    Ok(Mount {
        root: unescape(fields[3]),
        mount_point: unescape(fields[4]),
        options: list(fields[5]),
        fs_type: fields[sep + 1].to_owned(),
        super_options: list(fields[sep + 3]),
    })
}

/// Undoes the kernel's octal escapes (`\040` is a space).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            let s = std::str::from_utf8(d).ok()?;
            u8::from_str_radix(s, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount that `/` resolves to: the last one listed with mount point `/` (later mounts stack
/// on top of earlier ones).
pub(crate) fn root_mount(mounts: &[Mount]) -> Option<&Mount> {
    mounts
        .iter()
        .rev()
        .find(|m| Path::new(&m.mount_point) == Path::new("/"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A container's real mount table (Docker, overlay root, cgroup v2 mounted read-only).
    pub(crate) const DOCKER_V2: &str = "\
1180 1028 0:293 / / ro,relatime master:473 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/ABC:/var/lib/docker/overlay2/l/DEF,upperdir=/var/lib/docker/overlay2/5f/diff,workdir=/var/lib/docker/overlay2/5f/work
1181 1180 0:296 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1182 1180 0:297 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755,inode64
1185 1180 0:301 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
1186 1185 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
1187 1180 254:1 /docker/volumes/data/_data /var/lib/my\\040data rw,relatime - ext4 /dev/vda1 rw
";

    #[test]
    fn parses_real_lines() {
        let mounts = parse(DOCKER_V2).unwrap();
        assert_eq!(mounts.len(), 6);
        let root = root_mount(&mounts).unwrap();
        assert_eq!(root.fs_type, "overlay");
        assert!(root.read_only());
        assert_eq!(mounts[4].fs_type, "cgroup2");
        assert_eq!(mounts[4].mount_point, "/sys/fs/cgroup");
        assert_eq!(mounts[5].mount_point, "/var/lib/my data");
        assert_eq!(mounts[5].root, "/docker/volumes/data/_data");
        assert!(!mounts[1].read_only());
    }

    #[test]
    fn optional_fields_and_stacked_roots() {
        let text = "\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:38 / / ro,relatime shared:1 master:2 - overlay overlay rw
";
        let mounts = parse(text).unwrap();
        assert_eq!(mounts[1].fs_type, "overlay");
        assert!(root_mount(&mounts).unwrap().read_only());
    }

    #[test]
    fn malformed_lines_are_named() {
        assert_eq!(
            parse("27 1 254:0 / / rw ext4 /dev/vda rw\n").unwrap_err(),
            "line 1: no ` - ` separator before the filesystem type"
        );
        assert!(parse("ok\n27 1 - ext4\n")
            .unwrap_err()
            .starts_with("line 1:"));
        assert!(parse("27 1 254:0 / / rw - ext4\n")
            .unwrap_err()
            .contains("missing filesystem type"));
        assert_eq!(unescape("a\\040b\\134c\\9"), "a b\\c\\9");
    }
}
