fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "Image signed",
            }
            waive "security.image-signed" until "2027-01-31",
        }
    };
}
