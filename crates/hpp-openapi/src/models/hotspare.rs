//! Hot spare (sections 3.53 to 3.61) and the VAS ops pack.
