fn main() {
    let _ = prodready::checklist! {
        section "Security" {
            "No root user",
        }
    };
}
