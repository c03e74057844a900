// Apache Jena SHACL, timed from inside the JVM (what the EU validator runs on).
//   java -cp "/usr/share/java/*:DIR" JenaBench SHAPES.ttl RECORDS.nt whole|records
// RECORDS.nt: N-Triples, records separated by a line "# record". One warm-up pass (the JIT), then a timed pass.
// Prints one JSON object: seconds, p50_ms, p99_ms, findings.
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.graph.GraphFactory;

public class JenaBench {
    static Graph parse(String text) {
        Graph graph = GraphFactory.createDefaultGraph();
        RDFParser.create().source(new StringReader(text)).lang(Lang.NTRIPLES).parse(graph);
        return graph;
    }

    static long pass(Shapes shapes, List<String> records, boolean whole, double[] times) {
        long findings = 0;
        if (whole) {
            ValidationReport report = ShaclValidator.get().validate(shapes, parse(String.join("\n", records)));
            return report.getEntries().size();
        }
        for (int i = 0; i < records.size(); i++) {
            long started = System.nanoTime();
            ValidationReport report = ShaclValidator.get().validate(shapes, parse(records.get(i)));
            findings += report.getEntries().size();
            times[i] = (System.nanoTime() - started) / 1e6;
        }
        return findings;
    }

    public static void main(String[] args) throws Exception {
        Shapes shapes = Shapes.parse(RDFDataMgr.loadGraph(args[0]));
        List<String> records = new ArrayList<>(Arrays.asList(Files.readString(Path.of(args[1])).split("\n# record\n")));
        boolean whole = args[2].equals("whole");
        double[] times = new double[records.size()];
        pass(shapes, records, whole, times);  // warm-up
        long started = System.nanoTime();
        long findings = pass(shapes, records, whole, times);
        double seconds = (System.nanoTime() - started) / 1e9;
        double p50 = -1, p99 = -1;
        if (!whole) {
            double[] sorted = times.clone();
            Arrays.sort(sorted);
            p50 = sorted[(int) Math.round(0.50 * (sorted.length - 1))];
            p99 = sorted[(int) Math.round(0.99 * (sorted.length - 1))];
        }
        System.out.printf("{\"seconds\": %.6f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"findings\": %d}%n",
                          seconds, p50, p99, findings);
    }
}
