fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            sectoin "Security" {
                "No root user",
            }
        }
    };
}
