fn main() {
    let _ = prodready::checklist! {
        "Payments" {
            section "Security" {
                group "Container Security" {
                    "No root user",
                    "Image signed",
                }
            }
            waive "security.container-security.image-sigend" because "internal tool",
            waive "security.tls.certificate-valid" because "no TLS here",
        }
    };
}
