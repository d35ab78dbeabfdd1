fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "No root user" [kind = fast, severity = fatal, timeout = "0s", ttl = "soon"],
                "Image signed" [colour = "red", section = "Other", kind = probe, kind = evidence],
            }
        }
    };
}
