package io.tandem.wire.resp;

import static io.tandem.wire.resp.DecoderFeed.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** sdssplitargs, case by case (the expected results were checked against redis-server 7.0). */
class InlineArgumentSplitterTest {

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("SET k v", new String[] {"SET", "k", "v"}),
                Arguments.of("  SET \t k\t\tv  ", new String[] {"SET", "k", "v"}),
                Arguments.of("", new String[] {}),
                Arguments.of(" \t ", new String[] {}),
                Arguments.of("SET \"a b\" 'c d'", new String[] {"SET", "a b", "c d"}),
                Arguments.of("ECHO \"\\x41\\xZZ\\n\\r\\t\\b\\a\\\\\\\"\\q\"",
                        new String[] {"ECHO", "AxZZ\n\r\t\b\u0007\\\"q"}),
                Arguments.of("ECHO \"\\x4\"", new String[] {"ECHO", "x4"}),
                Arguments.of("ECHO \"\\xff\\x00\"", new String[] {"ECHO", "\u00ff\u0000"}),
                Arguments.of("ECHO 'it\\'s' 'a\\nb'", new String[] {"ECHO", "it's", "a\\nb"}),
                Arguments.of("ECHO ab\"c d\"", new String[] {"ECHO", "abc d"}),
                Arguments.of("ECHO \"\" ''", new String[] {"ECHO", "", ""}),
                Arguments.of("ECHO \"a\"\tb", new String[] {"ECHO", "a", "b"}),
                Arguments.of("ECHO \"a\"\u000bb", new String[] {"ECHO", "a", "b"}),
                Arguments.of("ECHO a\u000bb", new String[] {"ECHO", "a\u000bb"}),
                Arguments.of("\u000b\fECHO", new String[] {"ECHO"}),
                Arguments.of("ECHO a\rb", new String[] {"ECHO", "a", "b"}),
                Arguments.of("ECHO a\u0000b", new String[] {"ECHO", "a\u0000b"}),
                Arguments.of("ECHO \u00e9t\u00e9", new String[] {"ECHO", "\u00e9t\u00e9"}),
                Arguments.of("ECHO \"a\"b", null),
                Arguments.of("ECHO 'a'b", null),
                Arguments.of("ECHO \"a", null),
                Arguments.of("ECHO 'a", null),
                Arguments.of("ECHO \"a\\\"", null),
                Arguments.of("ECHO \"a\\", null));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void splitsLikeSdssplitargs(String line, String[] expected) {
        byte[] text = bytes("##" + line + "##"); // not at index 0, and with bytes after the end
        byte[][] arguments = InlineArgumentSplitter.split(ByteBuffer.wrap(text), 2, text.length - 2);
        if (expected == null) {
            assertNull(arguments);
        } else {
            assertEquals(DecoderFeed.render(expected), DecoderFeed.render(arguments));
        }
    }
}
