import { BaseCommand, connectionFlags } from '../../src/cli/base-command';
import { getClusterInfo, renderClusterInfoAs } from '../../src/cluster/info';

export default class ClusterInfoCommand extends BaseCommand<typeof ClusterInfoCommand> {
  static override summary = 'Show the broker version, nodes, controller or leader, and the data path in use';
  static override description =
    'Works for Kafka, Pulsar and RabbitMQ. An unreachable broker exits 69 within --timeout, naming the address.';
  static override examples = [
    '<%= config.bin %> cluster info --kind kafka',
    '<%= config.bin %> cluster info --brokers 127.0.0.1:9092 --output json',
    '<%= config.bin %> cluster info --url pulsar://127.0.0.1:6650 --admin-url http://127.0.0.1:8080',
    '<%= config.bin %> cluster info --context prod-rabbit',
  ];
  static override flags = { ...connectionFlags };

  async run(): Promise<void> {
    const connection = await this.connect();
    const info = await getClusterInfo(connection);
    this.out(renderClusterInfoAs(info, this.outputFormat, this.style));
  }
}
