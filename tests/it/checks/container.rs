//! Real-machine tests of `checks::container`.

use prodready::checks::container::{
    capabilities_dropped, capability_names, listening_sockets, minimal_attack_surface,
    no_new_privileges, only_declared_ports, read_only_root, seccomp_filtering, ContainerSpec,
    Listener,
};
use prodready::{Check, Context, RealHost, Status};
use std::net::{IpAddr, Ipv4Addr, TcpListener};

/// A field of `/proc/self/status`, read without the library.
fn status_field(key: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let prefix = format!("{key}:");
    let line = status.lines().find(|l| l.starts_with(&prefix)).unwrap();
    line[prefix.len()..].trim().to_owned()
}

fn names(value: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

#[tokio::test]
async fn capability_names_match_the_real_cap_eff_mask() {
    let mask = u64::from_str_radix(&status_field("CapEff"), 16).unwrap();
    let o = capabilities_dropped().run(&Context::default()).await;
    let held = names(&o.details()["capabilities_effective"]);
    assert_eq!(held.len(), mask.count_ones() as usize);
    for (bit, name) in [
        (0, "CAP_CHOWN"),
        (10, "CAP_NET_BIND_SERVICE"),
        (13, "CAP_NET_RAW"),
        (21, "CAP_SYS_ADMIN"),
        (24, "CAP_SYS_RESOURCE"),
        (40, "CAP_CHECKPOINT_RESTORE"),
    ] {
        assert_eq!(
            held.contains(&name.to_owned()),
            mask & (1 << bit) != 0,
            "{name}"
        );
    }
    assert_eq!(held, capability_names(mask));
    let expected = if mask == 0 {
        Status::Pass
    } else {
        Status::Fail
    };
    assert_eq!(o.status(), expected, "{o:?}");

    // Allowing exactly what is held passes.
    let allowed = held
        .iter()
        .fold(ContainerSpec::default(), |s, c| s.allow_capability(c));
    let o = capabilities_dropped()
        .spec(allowed)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
}

#[tokio::test]
async fn no_new_privs_and_seccomp_match_the_status_file() {
    let o = no_new_privileges().run(&Context::default()).await;
    let nnp = status_field("NoNewPrivs") == "1";
    assert_eq!(o.status(), if nnp { Status::Pass } else { Status::Fail });
    assert_eq!(o.details()["no_new_privs"], nnp);

    let o = seccomp_filtering().run(&Context::default()).await;
    let (status, mode) = match status_field("Seccomp").as_str() {
        "0" => (Status::Fail, "disabled"),
        "1" => (Status::Pass, "strict"),
        _ => (Status::Pass, "filter"),
    };
    assert_eq!(o.status(), status);
    assert_eq!(o.details()["seccomp_mode"], mode);
}

#[tokio::test]
async fn root_filesystem_matches_mountinfo() {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let root = mountinfo
        .lines()
        .rev()
        .find(|l| l.split(' ').nth(4) == Some("/"))
        .unwrap();
    let ro = root
        .split(' ')
        .nth(5)
        .unwrap()
        .split(',')
        .any(|o| o == "ro");
    let o = read_only_root().run(&Context::default()).await;
    assert_eq!(
        o.status(),
        if ro { Status::Pass } else { Status::Fail },
        "{o:?}"
    );
    assert_eq!(o.details()["root_read_only"], ro);
}

#[tokio::test]
async fn a_port_this_test_binds_is_seen_and_reported_as_undeclared() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mine = Listener {
        address: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port,
    };
    let seen = listening_sockets(&RealHost::new()).unwrap();
    assert!(seen.contains(&mine), "{mine} not in {seen:?}");

    // Nothing declared: a warning naming the listener.
    let o = only_declared_ports().run(&Context::default()).await;
    assert_eq!(o.status(), Status::Warn);
    assert!(
        o.message().contains(&format!("127.0.0.1:{port}")),
        "{}",
        o.message()
    );

    // Everything else declared: this port alone is undeclared (other tests may open more).
    let others = seen.iter().map(|l| l.port).filter(|p| *p != port);
    let o = only_declared_ports()
        .spec(ContainerSpec::default().ports(others))
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Fail);
    let undeclared: Vec<u16> =
        serde_json::from_value(o.details()["undeclared_ports"].clone()).unwrap();
    assert!(undeclared.contains(&port), "{undeclared:?}");

    // Declared: not reported.
    let o = only_declared_ports()
        .port(port)
        .run(&Context::default())
        .await;
    let undeclared: Vec<u16> =
        serde_json::from_value(o.details()["undeclared_ports"].clone()).unwrap();
    assert!(!undeclared.contains(&port));
    drop(listener);
}

#[tokio::test]
async fn the_combined_check_agrees_with_its_parts() {
    let ctx = Context::default();
    let o = minimal_attack_surface().run(&ctx).await;
    let parts = &o.details()["parts"];
    for (name, single) in [
        ("capabilities", capabilities_dropped().run(&ctx).await),
        ("no_new_privs", no_new_privileges().run(&ctx).await),
        ("seccomp", seccomp_filtering().run(&ctx).await),
        ("read_only_root", read_only_root().run(&ctx).await),
    ] {
        assert_eq!(parts[name], single.status().to_string(), "{name}");
        if single.status() == Status::Fail {
            assert_eq!(o.status(), Status::Fail);
            assert!(
                o.message().contains(single.message()),
                "{name}: {}",
                o.message()
            );
        }
    }
}
