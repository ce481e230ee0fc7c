import { badInputSuite } from '../helpers/bad-inputs';

// The bad-input table (issue 11), fourth of four shards (rows i with i % 4 === 3), so each file stays well
// inside the suite's 10-minute limit per file. The table and the checks are in test/helpers/bad-inputs.ts.
badInputSuite(3, 4);
