//! ISAPI pass-through (section 3.23 and Appendix A.4): typed helpers over the shared ISAPI models of `watchpost-isapi`.
