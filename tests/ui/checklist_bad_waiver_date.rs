fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                "No root user",
                "Image signed",
            }
            waive "security.no-root-user" because "dev image" until "2027-02-30",
            waive "security.image-signed" because "internal tool" until "31/01/2027",
        }
    };
}
