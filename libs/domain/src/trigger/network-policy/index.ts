export {
  formatIpAddress,
  formatIpNetwork,
  type IpAddress,
  type IpNetwork,
  networkContains,
  parseIpAddress,
  parseIpHost,
  parseIpNetwork,
  parseIpNetworkList,
} from './ip-address';
export * from './network-policy';
