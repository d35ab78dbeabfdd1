fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "No root user" => 42,
            }
        }
    };
}
