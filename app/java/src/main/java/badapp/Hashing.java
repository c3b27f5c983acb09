package badapp;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/** The hot path, in one clearly named method so a profile can point at it; the work itself is the library's. */
public final class Hashing {
    private Hashing() {}

    public static String hashPassword(byte[] password, int rounds) {
        return new String(BCrypt.withDefaults().hash(rounds, password), StandardCharsets.UTF_8);
    }
}
