/**
 * UEFI_IMAGE_LOAD_EVENT (PFP §10.3.3): ImageLocationInMemory (EFI_PHYSICAL_ADDRESS, u64), ImageLengthInMemory (UINTN,
 * u64 on every platform that logs it), ImageLinkTimeAddress (UINTN), LengthOfDevicePath (UINTN), DevicePath. The event
 * data of EV_EFI_BOOT_SERVICES_APPLICATION, EV_EFI_BOOT_SERVICES_DRIVER and EV_EFI_RUNTIME_SERVICES_DRIVER.
 */
import { devicePathToText } from './device-path.js';
import { LeReader } from './le-reader.js';

export interface UefiImageLoadEvent {
  imageLocationInMemory: bigint;
  imageLengthInMemory: bigint;
  imageLinkTimeAddress: bigint;
  lengthOfDevicePath: number;
  /** The device path as text (efivar spelling). */
  devicePath: string;
}

/**
 * Decode UEFI_IMAGE_LOAD_EVENT.
 * @throws DecodeError when a field or the device path does not fit the event data
 */
export function decodeUefiImageLoadEvent(data: Uint8Array, base = 0): UefiImageLoadEvent {
  const r = new LeReader(data, base);
  const imageLocationInMemory = r.u64('ImageLocationInMemory');
  const imageLengthInMemory = r.u64('ImageLengthInMemory');
  const imageLinkTimeAddress = r.u64('ImageLinkTimeAddress');
  const lengthOfDevicePath = r.u64Length(1, 'LengthOfDevicePath');
  const devicePath = devicePathToText(r.borrow(lengthOfDevicePath, 'DevicePath'));
  return { imageLocationInMemory, imageLengthInMemory, imageLinkTimeAddress, lengthOfDevicePath, devicePath };
}
