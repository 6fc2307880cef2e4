package io.redpacket.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link and path a document of this repository points a reader at resolves to a file inside the
 * repository: a user of a clean clone has nothing else (a link to a sibling folder of the checkout was once in
 * the README).
 */
class RepositoryLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern OUTSIDE = Pattern.compile("(?<![\\w/.])\\.\\./shared/\\S*");

    @Test
    void documentationLinksStayInsideTheRepository() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("pom.xml")).exists();
        List<String> broken = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path md : files.filter(p -> p.toString().endsWith(".md") && !skipped(root, p))
                    .toList()) {
                String text = Files.readString(md);
                Matcher m = LINK.matcher(text);
                while (m.find()) {
                    String target = m.group(1).replaceAll("#.*$", "");
                    if (target.isEmpty() || target.matches("^[a-z]+:.*")) {
                        continue;
                    }
                    Path resolved = md.getParent().resolve(target).normalize();
                    if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                        broken.add(root.relativize(md) + ": link " + m.group(1));
                    }
                }
                Matcher o = OUTSIDE.matcher(text);
                while (o.find()) {
                    broken.add(root.relativize(md) + ": points outside the repository: " + o.group());
                }
            }
        }
        for (String pom : List.of("pom.xml")) {
            Matcher o = OUTSIDE.matcher(Files.readString(root.resolve(pom)));
            while (o.find()) {
                broken.add(pom + ": points outside the repository: " + o.group());
            }
        }
        assertThat(broken).isEmpty();
    }

    private static boolean skipped(Path root, Path p) {
        String rel = root.relativize(p).toString();
        return rel.contains("/target/")
                || rel.startsWith("target/")
                || rel.startsWith(".")
                || rel.contains("/node_modules/")
                || rel.startsWith("runs/");
    }
}
