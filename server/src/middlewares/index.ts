import retryAfter from './retry-after';

export default { 'retry-after': retryAfter };
