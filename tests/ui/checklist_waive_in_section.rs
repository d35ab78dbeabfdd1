fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "Image signed",
                waive "security.image-signed" because "internal tool",
            }
        }
    };
}
