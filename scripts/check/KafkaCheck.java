// Readiness and self-test for the local Kafka, run as a single-file Java program with the broker's
// own jars on the classpath (they include kafka-clients):
//   java -cp "$MQCTL_HOME/jars/kafka/*" scripts/check/KafkaCheck.java ready 127.0.0.1:9092
//   java -cp "$MQCTL_HOME/jars/kafka/*" scripts/check/KafkaCheck.java verify 127.0.0.1:9092 127.0.0.1:9094 mqctl mqctl-secret
//   java -cp "$MQCTL_HOME/jars/kafka/*" scripts/check/KafkaCheck.java leader 127.0.0.1:19092,127.0.0.1:19093 TOPIC PARTITION
// "leader" prints the node id that leads TOPIC's PARTITION, then its ISR ("2 isr=2,3,1"); exit 1 when
// the partition has no leader.
// "ready" sends real metadata requests (DescribeCluster + Metadata); "verify" also checks every SASL
// mechanism on the SASL listener (and that a wrong password is refused) and a transactional
// produce + read_committed consume. Exit code 0 = ok, 1 = not ok (one line on stderr says why).

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaCheck {
  static final long TIMEOUT_MS = 8000;

  public static void main(String[] args) {
    try {
      if (args.length >= 2 && args[0].equals("ready")) {
        System.out.println(ready(base(args[1])));
      } else if (args.length == 4 && args[0].equals("leader")) {
        System.out.println(leader(base(args[1]), args[2], Integer.parseInt(args[3])));
      } else if (args.length == 5 && args[0].equals("verify")) {
        verify(args[1], args[2], args[3], args[4]);
      } else {
        System.err.println("usage: KafkaCheck ready BOOTSTRAP | leader BOOTSTRAP TOPIC PARTITION | verify BOOTSTRAP SASL_BOOTSTRAP USER PASSWORD");
        System.exit(2);
      }
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) root = root.getCause();
      System.err.println("kafka check failed: " + root.getClass().getSimpleName() + ": " + root.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  static Properties base(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(TIMEOUT_MS));
    p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "200");
    return p;
  }

  static Properties sasl(String bootstrap, String mechanism, String user, String password) {
    Properties p = base(bootstrap);
    String module = mechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", mechanism);
    p.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
    return p;
  }

  /** DescribeCluster plus a Metadata request (listTopics); returns a one-line summary. */
  static String ready(Properties props) throws Exception {
    try (Admin admin = Admin.create(props)) {
      DescribeClusterResult cluster = admin.describeCluster();
      String id = cluster.clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      int nodes = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
      int topics = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
      return "ok cluster=" + id + " nodes=" + nodes + " topics=" + topics;
    }
  }

  /** "LEADER_ID isr=ID,ID,..." of one partition, from a Metadata request. */
  static String leader(Properties props, String topic, int partition) throws Exception {
    try (Admin admin = Admin.create(props)) {
      var description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).get(topic);
      for (var p : description.partitions()) {
        if (p.partition() != partition) continue;
        if (p.leader() == null || p.leader().isEmpty()) throw new IllegalStateException(topic + "/" + partition + " has no leader");
        StringBuilder isr = new StringBuilder();
        for (var n : p.isr()) isr.append(isr.length() == 0 ? "" : ",").append(n.id());
        return p.leader().id() + " isr=" + isr;
      }
      throw new IllegalStateException(topic + " has no partition " + partition);
    }
  }

  static void verify(String bootstrap, String saslBootstrap, String user, String password) throws Exception {
    System.out.println("plain listener " + bootstrap + ": " + ready(base(bootstrap)));
    for (String mech : List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")) {
      System.out.println("sasl " + mech + " " + saslBootstrap + ": " + ready(sasl(saslBootstrap, mech, user, password)));
      try {
        ready(sasl(saslBootstrap, mech, user, password + "-wrong"));
        throw new IllegalStateException("sasl " + mech + " accepted a wrong password");
      } catch (Exception e) {
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof SaslAuthenticationException)) t = t.getCause();
        if (!(t instanceof SaslAuthenticationException)) throw e;
        System.out.println("sasl " + mech + " wrong password: refused (" + t.getClass().getSimpleName() + ")");
      }
    }
    // One retry: a first transaction can race with the (re)creation of the test topic.
    try {
      verifyTransactions(bootstrap);
    } catch (Exception first) {
      System.out.println("transactions: first attempt failed (" + first + "), retrying once");
      Thread.sleep(2000);
      verifyTransactions(bootstrap);
    }
  }

  static void verifyTransactions(String bootstrap) throws Exception {
    String topic = "mqctl-selftest-txn";
    try (Admin admin = Admin.create(base(bootstrap))) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        if (!(e.getCause() instanceof TopicExistsException)) throw e;
      }
    }
    String marker = "txn-" + UUID.randomUUID();
    Properties pp = base(bootstrap);
    pp.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    pp.remove(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG);
    pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "mqctl-selftest-" + UUID.randomUUID());
    pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "aborted", marker + "-aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "committed", marker));
      producer.commitTransaction();
    }
    Properties cp = base(bootstrap);
    cp.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
    cp.remove(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG);
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, "mqctl-selftest-" + UUID.randomUUID());
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    boolean seen = false;
    boolean sawAborted = false;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
      consumer.subscribe(Set.of(topic));
      long deadline = System.currentTimeMillis() + 30000;
      while (!seen && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        for (var r : records) {
          if (r.value().equals(marker)) seen = true;
          if (r.value().equals(marker + "-aborted")) sawAborted = true;
        }
      }
      consumer.commitSync(Duration.ofMillis(TIMEOUT_MS));
    }
    if (!seen) throw new IllegalStateException("committed transactional record not read back within 30s");
    if (sawAborted) throw new IllegalStateException("read_committed consumer saw an aborted record");
    System.out.println("transactions: commit visible, abort hidden, group offsets committed on " + topic);
  }
}
