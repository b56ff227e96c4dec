/** The demo customers of data/demo-bank.json, as tests use them. */
export const ZHANG = {
  card: '6222021234567890128',
  id: '11010519491231002X',
  phone: '+8613800138000',
  national: '13800138000',
  maskedCard: '6222 **** **** 0128',
  maskedPhone: '138****8000',
};
export const LI = { card: '6217000012345670', id: '310104199003070026', phone: '+8613900139000', national: '13900139000' };
export const ALICE = { card: '6225881234567898', id: 'E12345678', phone: '+8613700137000', national: '13700137000' };
/** Customer frozen. */
export const WANG = { card: '6228480012345671', id: '440305198506150118', phone: '+8613600136000', national: '13600136000' };
/** Card frozen. */
export const ZHAO = { card: '6230580000123455', id: '510107197811220333', phone: '+8613500135000', national: '13500135000' };
/** A number nobody holds. */
export const FRESH = { phone: '+8618612345678', national: '18612345678', masked: '186****5678' };
