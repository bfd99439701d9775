//! AES-128-CBC with PKCS#7 and the seed's IV (RustCrypto `aes` + `cbc`).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

/// The IV: "Offset: 48, 49, 50, 51, 52, 53, 54, 55, 0, ..." (L501, L506) is ASCII `01234567`
/// followed by zeros, to 16 bytes (the seed lists 15 and 18 values).
pub(crate) const IV: [u8; 16] = *b"01234567\0\0\0\0\0\0\0\0";

/// The AES block size.
pub(crate) const BLOCK: usize = 16;

type Decryptor = cbc::Decryptor<aes::Aes128>;
type Encryptor = cbc::Encryptor<aes::Aes128>;

/// The first plaintext block of `ciphertext` (`None` when shorter than a block): enough to
/// check for a JPEG start before decrypting the whole picture.
pub(crate) fn first_block(key: &[u8; 16], ciphertext: &[u8]) -> Option<[u8; 16]> {
    let first: [u8; 16] = ciphertext.get(..BLOCK)?.try_into().ok()?;
    let mut block = first.into();
    Decryptor::new(key.into(), (&IV).into()).decrypt_block_mut(&mut block);
    Some(block.into())
}

/// The plaintext of `ciphertext`, or `None` when its length is not a whole number of blocks or
/// its padding is not PKCS#7.
pub(crate) fn decrypt(key: &[u8; 16], ciphertext: &[u8]) -> Option<Vec<u8>> {
    let mut buf = ciphertext.to_vec();
    let len = Decryptor::new(key.into(), (&IV).into()).decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(len);
    Some(buf)
}

/// `plaintext` encrypted, PKCS#7-padded.
pub(crate) fn encrypt(key: &[u8; 16], plaintext: &[u8]) -> Vec<u8> {
    let len = plaintext.len();
    let mut buf = plaintext.to_vec();
    buf.resize(len + BLOCK - len % BLOCK, 0);
    let written =
        Encryptor::new(key.into(), (&IV).into()).encrypt_padded_mut::<Pkcs7>(&mut buf, len).map_or(0, |c| c.len());
    buf.truncate(written);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_matches_openssl_and_decrypts_back() {
        // printf 'hello' | openssl enc -aes-128-cbc -K 000102030405060708090a0b0c0d0e0f \
        //   -iv 30313233343536370000000000000000 | xxd -p
        let key: [u8; 16] = core::array::from_fn(|i| i as u8);
        let ct = encrypt(&key, b"hello");
        assert_eq!(hex::encode(&ct), OPENSSL_HELLO);
        assert_eq!(decrypt(&key, &ct).as_deref(), Some(&b"hello"[..]));
        assert_eq!(first_block(&key, &ct).map(|b| b[..5].to_vec()), Some(b"hello".to_vec()));
        assert_eq!(decrypt(&key, &ct[..15]), None, "not a whole block");
        assert_eq!(first_block(&key, &ct[..15]), None);
        assert_eq!(encrypt(&key, &[7u8; 16]).len(), 32, "a whole block of padding after aligned data");
    }

    const OPENSSL_HELLO: &str = include_str!("../../fixtures/pictures/openssl-hello.hex").trim_ascii();
}
