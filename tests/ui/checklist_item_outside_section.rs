fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            "No root user",
        }
    };
}
